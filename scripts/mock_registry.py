#!/usr/bin/env python3
"""A minimal Confluent Schema Registry for tests, on 127.0.0.1 only.

Serves POST /subjects/SUBJECT/versions ({"schema": "..."} -> {"id": N}, the same id for the
same schema text) and GET /schemas/ids/N ({"schema": "..."}; 404 with error_code 40403 for an
unknown id). Prints its base URL on the first line of standard output, then serves until killed.
Preloads: `--schema ID=FILE` (repeatable) registers FILE's text under ID.
"""
import argparse
import json
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

schemas = {}  # id -> text


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/vnd.schemaregistry.v1+json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        parts = self.path.strip("/").split("/")
        if len(parts) == 3 and parts[:2] == ["schemas", "ids"] and parts[2].isdigit():
            text = schemas.get(int(parts[2]))
            if text is None:
                return self.reply(404, {"error_code": 40403, "message": "Schema not found"})
            return self.reply(200, {"schema": text})
        self.reply(404, {"error_code": 404, "message": "not found"})

    def do_POST(self):
        parts = self.path.strip("/").split("/")
        if len(parts) == 3 and parts[0] == "subjects" and parts[2] == "versions":
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length))
            text = body["schema"]
            for i, t in schemas.items():
                if json.loads(t) == json.loads(text):
                    return self.reply(200, {"id": i})
            new = max(schemas, default=0) + 1
            schemas[new] = text
            return self.reply(200, {"id": new})
        self.reply(404, {"error_code": 404, "message": "not found"})


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--schema", action="append", default=[])
    args = parser.parse_args()
    for spec in args.schema:
        i, path = spec.split("=", 1)
        with open(path) as f:
            schemas[int(i)] = f.read()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
