#!/usr/bin/env python3
"""A DC-09 alarm panel for the end-to-end tests, on the standard library only.

Reads a JSON plan on stdin: {"proto": "tcp" or "udp", "port": N, "send": [item, ...]}, where an
item is {"message": text from the first quote, "answer": true} to send a framed message and
read its answer, {"message": ..., "bad_crc": true} to send it with a wrong CRC (no answer is
read), or {"garbage": text} to send bytes as they are. Prints a JSON list with the message part
of each answer read (its own CRC and length checked), or null when none came in time.

With {"stream": [message, ...]} instead of "send", writes every frame as fast as the socket
takes them while printing each answer's message part on its own line as it arrives, until the
answers are all in or the connection ends.
"""

import json
import socket
import sys
import threading
import time


def crc16(data):
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0xA001 if crc & 1 else crc >> 1
    return crc


def frame(message, bad_crc=False):
    body = message.encode("ascii")
    crc = crc16(body) ^ (1 if bad_crc else 0)
    return b"\n" + ("%04X0%03X" % (crc, len(body))).encode() + body + b"\r"


def unframe(raw):
    start = raw.index(b"\n")
    end = raw.index(b"\r", start)
    raw = raw[start:end + 1]
    crc, length, body = int(raw[1:5], 16), int(raw[6:9], 16), raw[9:-1]
    if len(body) != length or crc16(body) != crc:
        raise ValueError("answer with a wrong CRC or length: %r" % raw)
    return body.decode("ascii")


def stream(sock, messages):
    def write():
        try:
            for message in messages:
                sock.sendall(frame(message))
        except OSError:
            pass

    threading.Thread(target=write, daemon=True).start()
    pending = b""
    answered = 0
    while answered < len(messages):
        try:
            chunk = sock.recv(65536)
        except OSError:
            break
        if not chunk:
            break
        pending += chunk
        while b"\r" in pending:
            end = pending.index(b"\r") + 1
            print(unframe(pending[:end]), flush=True)
            pending = pending[end:]
            answered += 1


def main():
    plan = json.load(sys.stdin)
    udp = plan["proto"] == "udp"
    addr = ("127.0.0.1", plan["port"])
    kind = socket.SOCK_DGRAM if udp else socket.SOCK_STREAM
    sock = socket.socket(socket.AF_INET, kind)
    sock.settimeout(plan.get("wait", 15))
    sock.connect(addr)
    if "stream" in plan:
        stream(sock, plan["stream"])
        return
    pending = b""
    answers = []
    for item in plan["send"]:
        if "sleep" in item:
            time.sleep(item["sleep"])
            continue
        if "garbage" in item:
            sock.sendall(item["garbage"].encode("latin-1"))
            continue
        sock.sendall(frame(item["message"], item.get("bad_crc", False)))
        if not item.get("answer"):
            continue
        try:
            if udp:
                answers.append(unframe(sock.recv(8192)))
                continue
            while b"\r" not in pending:
                chunk = sock.recv(4096)
                if not chunk:
                    raise socket.timeout()
                pending += chunk
            end = pending.index(b"\r") + 1
            answers.append(unframe(pending[:end]))
            pending = pending[end:]
        except socket.timeout:
            answers.append(None)
    sock.close()
    json.dump(answers, sys.stdout)


if __name__ == "__main__":
    main()
