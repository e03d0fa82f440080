#!/usr/bin/env python3
"""Adds or deletes one route in the emulator; run by Terraform local-exec provisioners in
test_redeploy_e2e.py (with the project venv's python).

  tests/e2e/support/route_tool.py add    --endpoint URL --rest-api-id ID --path NAME   # GET /NAME, MOCK
  tests/e2e/support/route_tool.py delete --endpoint URL --rest-api-id ID --path NAME
"""

from __future__ import annotations

import argparse
import sys

from harness import apigw_client


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=["add", "delete"])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--rest-api-id", required=True)
    parser.add_argument("--path", required=True, help="a single path part under /")
    args = parser.parse_args()
    c = apigw_client(args.endpoint)
    resources = {r["path"]: r["id"] for r in c.get_resources(restApiId=args.rest_api_id, limit=500)["items"]}
    path = f"/{args.path}"
    if args.action == "delete":
        if path in resources:
            c.delete_resource(restApiId=args.rest_api_id, resourceId=resources[path])
        print(f"deleted route GET {path}")
        return 0
    rid = resources.get(path) or c.create_resource(
        restApiId=args.rest_api_id, parentId=resources["/"], pathPart=args.path)["id"]
    c.put_method(restApiId=args.rest_api_id, resourceId=rid, httpMethod="GET", authorizationType="NONE")
    c.put_integration(restApiId=args.rest_api_id, resourceId=rid, httpMethod="GET", type="MOCK",
                      requestTemplates={"application/json": '{"statusCode": 200}'})
    print(f"added route GET {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
