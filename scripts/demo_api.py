#!/usr/bin/env python3
"""The sample REST API of `make demo`: its routes, its edits, and plain HTTP calls to its stage.

Every route is a MOCK integration that answers a fixed JSON body, so the stage's answers show
which deployment it serves. With hashicorp/aws (examples/local) Terraform makes the API from
`tfvars`; with the stand-in (examples/local/stand-in) `create` and `edit` make it with boto3,
through tests/e2e/support/api_spec_tool.py (the same code the data-plane tests use).

  demo_api.py tfvars --step N --out FILE         write examples/local's variables (terraform.tfvars.json)
                                                 for the seed (0) or after edit N; prints what
                                                 changed

  demo_api.py create --endpoint URL              create the "petstore" API (the seed), print its id
  demo_api.py edit   --endpoint URL --rest-api-id ID --step N
                                                 edit N (1, 2): add a route and change GET /pets'
                                                 body (its ids stay the same); prints what changed
  demo_api.py ids    --endpoint URL --rest-api-id ID
                                                 the seed's resource ids as a JSON list: the
                                                 hand-kept trigger list
  demo_api.py deploy --endpoint URL --rest-api-id ID --stage NAME
  demo_api.py call   --endpoint URL --rest-api-id ID --stage NAME ROUTE...
                                                 plain HTTP calls to the stage ("GET /pets")
  demo_api.py routes --endpoint URL --rest-api-id ID
                                                 print the live routes
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "e2e" / "support"))
from api_spec_tool import apply  # noqa: E402
from localstack_server import call_stage  # noqa: E402

REGION = "us-east-1"


def route(body: dict) -> dict:
    return {"status": 200, "body": json.dumps(body)}


SEED = {
    "GET /pets": route({"pets": ["Rex", "Tom"]}),
    "GET /pets/{petId}": {"status": 200, "body": '{"id": "$input.params(\'petId\')"}'},
}
# (what the edit does, the API after it)
EDITS = {
    1: ("add GET /owners; GET /pets answers a third pet",
        {**SEED, "GET /owners": route({"owners": ["Ann"]}), "GET /pets": route({"pets": ["Rex", "Tom", "Kit"]})}),
}
EDITS[2] = ("add GET /vets; GET /pets answers a fourth pet",
            {**EDITS[1][1], "GET /vets": route({"vets": ["Dr. Lee"]}),
             "GET /pets": route({"pets": ["Rex", "Tom", "Kit", "Max"]})})


def tfvars(step: int) -> tuple[str, dict]:
    """(what changed, examples/local's variables) for the seed (0) or after edit `step`."""
    what, spec = ("the seed", SEED) if step == 0 else EDITS[step]
    return what, {"routes": {key: route["body"] for key, route in spec.items()}}


def client(endpoint: str):
    return boto3.client("apigateway", endpoint_url=endpoint, region_name=REGION,
                        aws_access_key_id="testing", aws_secret_access_key="testing")


def routes(c, api_id: str) -> list[str]:
    out = []
    for item in c.get_resources(restApiId=api_id, limit=500, embed=["methods"])["items"]:
        for verb, method in sorted((item.get("resourceMethods") or {}).items()):
            integration = method.get("methodIntegration") or {}
            answers = (integration.get("integrationResponses") or {}).get("200", {}).get("responseTemplates") or {}
            out.append(f"{verb:4} {item['path']:16} -> {integration.get('type', '?')} {answers.get('application/json', '')}")
    return sorted(out, key=lambda line: line.split()[1])


def call(endpoint: str, api_id: str, stage: str, keys: list[str]) -> None:
    for key in keys:
        verb, path = key.split(" ", 1)
        url = f"{endpoint}/restapis/{api_id}/{stage}/_user_request_{path}"
        status, body, _ = call_stage(url, verb)
        print(f"  {verb} {url}\n    -> {status} {body}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=["tfvars", "create", "edit", "ids", "deploy", "call", "routes"])
    parser.add_argument("routes_to_call", nargs="*", metavar="ROUTE")
    parser.add_argument("--endpoint")
    parser.add_argument("--rest-api-id")
    parser.add_argument("--stage", default="demo")
    parser.add_argument("--step", type=int, choices=[0, *sorted(EDITS)])
    parser.add_argument("--out", type=Path, help="tfvars: the file to write")
    args = parser.parse_intermixed_args()
    if args.command == "tfvars":
        if not args.out:
            parser.error("tfvars needs --out FILE")
        what, variables = tfvars(args.step or 0)
        args.out.write_text(json.dumps(variables, indent=2) + "\n")
        print(what)
        return 0
    if not args.endpoint:
        parser.error("--endpoint is required")
    c = client(args.endpoint)
    if args.command == "create":
        api_id = c.create_rest_api(name="petstore", description="gwtrigger demo")["id"]
        apply(c, api_id, SEED)
        print(api_id)
        return 0
    if not args.rest_api_id:
        parser.error("--rest-api-id is required")
    api_id = args.rest_api_id
    if args.command == "edit":
        if not args.step:
            parser.error("edit needs --step 1 or 2")
        what, spec = EDITS[args.step]
        apply(c, api_id, spec)
        print(what)
    elif args.command == "ids":
        seed_paths = {key.split(" ", 1)[1] for key in SEED}
        items = c.get_resources(restApiId=api_id, limit=500)["items"]
        print(json.dumps(sorted(r["id"] for r in items if r["path"] in seed_paths)))
    elif args.command == "deploy":
        deployment = c.create_deployment(restApiId=api_id, stageName=args.stage)
        print(f"created deployment {deployment['id']} of stage {args.stage}")
    elif args.command == "call":
        call(args.endpoint, api_id, args.stage, args.routes_to_call)
    else:
        print("\n".join(routes(c, api_id)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
