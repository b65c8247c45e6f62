#!/usr/bin/env python3
"""Inclusive CPU share of the gateway's request-path stages, from a JFR recording.

    jfr print --json --events jdk.CPUTimeSample --stack-depth 64 rec.jfr > cpu.json
    python3 bench/gateway-overhead/jfr-breakdown.py cpu.json

Works on jdk.CPUTimeSample (JDK 25, CPU time incl. time in system calls) or jdk.ExecutionSample events. A sample
counts for every stage whose frame is on its stack, so stages nest and the shares do not add up to 100%.
"""
import collections
import json
import sys

STAGES = [
    ("Helidon server connection loop (Http1Connection.handle)", "io.helidon.webserver.http1.Http1Connection.handle"),
    ("  request line + headers parsing (Http1Prologue, Http1HeadersParser)", ("Http1Prologue.", "Http1HeadersParser.")),
    ("  GatewayHandler.handle (everything of one exchange)", "io.tollgate.gateway.http.GatewayHandler.handle"),
    ("    pipeline: RequestIdFilter and all after it", "io.tollgate.gateway.observe.RequestIdFilter.handle"),
    ("    pipeline: RateLimitFilter and all after it", "io.tollgate.gateway.limit.RateLimitFilter.handle"),
    ("    ProxyFilter.forward (upstream exchange)", "io.tollgate.gateway.proxy.ProxyFilter.forward"),
    ("      ProxyFilter.requestHeaders + HopByHop", ("ProxyFilter.requestHeaders",)),
    ("      UpstreamConnection.send (request head + body write)", ("UpstreamConnection.send",)),
    ("      UpstreamConnection.readResponse (wait + parse the head)", ("UpstreamConnection.readResponse",)),
    ("    ProxyFilter.response (response headers filter)", ("ProxyFilter.response",)),
    ("    UpstreamConnections (pool)", ("io.tollgate.gateway.proxy.UpstreamConnections.",)),
    ("    GatewayHandler.write (answer to the client)", "io.tollgate.gateway.http.GatewayHandler.write"),
    ("      Body.bytes (small body read whole)", "io.tollgate.gateway.pipeline.Body$1.bytes"),
    ("      ServerResponse.send / headers write", ("Http1ServerResponse.send", "Http1ServerResponse.writeHeaders")),
    ("      InputStream.transferTo (body copy)", "java.io.InputStream.transferTo"),
    ("    RecordFilter.record (metrics + JSON line)", "io.tollgate.gateway.observe.RecordFilter.record"),
    ("AccessLog.drain (access-log writer thread)", "io.tollgate.gateway.observe.AccessLog.drain"),
    ("  JUL FileHandler publish/flush", ("java.util.logging.FileHandler.", "java.util.logging.StreamHandler.")),
    ("  JUL SimpleFormatter (String.format)", ("java.util.logging.SimpleFormatter.",)),
    ("IdleInputStream (WebClient idle-connection monitor)", "io.helidon.common.socket.IdleInputStream"),
    ("socket write syscalls (SocketDispatcher.write0)", "sun.nio.ch.SocketDispatcher.write0"),
    ("socket read syscalls (SocketDispatcher.read0)", "sun.nio.ch.SocketDispatcher.read0"),
    ("poller (EPoll)", "sun.nio.ch.EPoll."),
    ("virtual thread park/unpark (Continuation.yield, unpark)", ("Continuation.yield", "VirtualThread.unpark",
                                                                "unparkVirtualThread")),
    ("request id: UUID.randomUUID + traceparent SecureRandom", ("java.util.UUID.randomUUID",
                                                                "RequestIdFilter.newTraceparent")),
]


def main(path):
    events = json.load(open(path))["recording"]["events"]
    counts = collections.Counter()
    total = 0
    for event in events:
        stack = event["values"].get("stackTrace")
        if not stack:
            continue
        total += 1
        frames = [f["method"]["type"]["name"].replace("/", ".") + "." + f["method"]["name"] for f in stack["frames"]]
        for label, needle in STAGES:
            needles = needle if isinstance(needle, tuple) else (needle,)
            if any(n in frame for frame in frames for n in needles):
                counts[label] += 1
    print(f"{total} samples with a stack trace")
    for label, _ in STAGES:
        print(f"  {100 * counts[label] / max(total, 1):5.1f}%  {label}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
