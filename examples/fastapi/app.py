"""A small FastAPI backend served behind an API Gateway REST API stage.

API Gateway serves the stage under a path prefix, https://ID.execute-api.REGION.amazonaws.com/dev/…,
and strips that prefix before calling the backend: a browser asks for /dev/docs, the app sees
/docs. The app must still *generate* URLs with the prefix (the docs page's openapi.json, the
OpenAPI `servers` entry that "Try it out" calls), or the browser asks API Gateway for
/openapi.json, which is outside the stage, and gets 403 {"message":"Missing Authentication Token"}.

The prefix is the ASGI root path, set by the server from the stage name:

    STAGE_NAME=dev python app.py                  # uvicorn with root_path="/dev"
    uvicorn app:app --root-path /dev              # the same, explicitly
    fastapi run app.py --root-path /dev

FastAPI's docs page then loads `root_path + openapi_url` = /dev/openapi.json, and openapi.json
lists `servers: [{"url": "/dev"}]`. Nothing in the app itself hard-codes the stage.
"""

from __future__ import annotations

import os

from fastapi import FastAPI, HTTPException

app = FastAPI(
    title="orders",
    version="1.0.0",
    # The defaults, spelled out: the docs page is /docs and loads openapi_url prefixed with the
    # root path. Keep openapi_url a path starting with "/" (FastAPI requires it).
    docs_url="/docs",
    openapi_url="/openapi.json",
)

ORDERS = {"1": {"id": "1", "item": "coffee", "quantity": 2}}


@app.get("/orders")
def list_orders() -> list[dict]:
    return list(ORDERS.values())


@app.get("/orders/{order_id}")
def get_order(order_id: str) -> dict:
    if order_id not in ORDERS:
        raise HTTPException(status_code=404, detail="order not found")
    return ORDERS[order_id]


@app.get("/status")
def status() -> dict:
    return {"ok": True}


def root_path_for_stage(stage: str) -> str:
    """The ASGI root path for an API Gateway stage name: "dev" -> "/dev", "" -> ""."""
    stage = stage.strip().strip("/")
    return f"/{stage}" if stage else ""


def main() -> None:
    import uvicorn

    uvicorn.run(
        app,
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", "8000")),
        root_path=root_path_for_stage(os.environ.get("STAGE_NAME", "")),
        # Behind API Gateway (or a load balancer) the client's scheme/host come in
        # X-Forwarded-* headers; trust them only from your proxies in production.
        proxy_headers=True,
    )


if __name__ == "__main__":
    main()
