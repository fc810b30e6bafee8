#!/usr/bin/env python3
"""N concurrent POST /v1/install?wait to a packmand, one connection each; prints a JSON line:
{"answered", "succeeded", "jobs" (distinct job ids), "seconds"}.

  concurrent_installs.py PORT TOKEN N PACKAGE            every request asks for PACKAGE
  concurrent_installs.py PORT TOKEN N PREFIX LOW HIGH     each asks for PREFIX%03d, random in [LOW, HIGH)
"""
import asyncio
import json
import random
import sys
import time


async def one(port, token, package):
    body = json.dumps({"packages": [package]}).encode()
    request = (b"POST /v1/install?wait=3600 HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
               b"Authorization: Bearer " + token.encode() + b"\r\nContent-Length: " + str(len(body)).encode() +
               b"\r\nConnection: close\r\n\r\n" + body)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    await writer.drain()
    data = await reader.read()
    writer.close()
    head, _, payload = data.partition(b"\r\n\r\n")
    return int(head.split(b" ")[1]), json.loads(payload)


async def main():
    port, token, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
    random.seed(14)
    if len(sys.argv) == 7:
        prefix, low, high = sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
        packages = ["%s%03d" % (prefix, random.randrange(low, high)) for _ in range(count)]
    else:
        packages = [sys.argv[4]] * count
    start = time.perf_counter()
    results = await asyncio.gather(*[one(port, token, package) for package in packages])
    elapsed = time.perf_counter() - start
    ok = sum(1 for status, job in results if status == 200 and job.get("state") == "succeeded")
    print(json.dumps({"answered": len(results), "succeeded": ok, "jobs": len({job.get("id") for _, job in results}),
                      "seconds": round(elapsed, 3)}))


asyncio.run(main())
