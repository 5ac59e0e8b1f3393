#!/usr/bin/env python3
"""Records the SSDP datagrams that reach one interface, for bench/ssdp-parse.sh's mix of real packets: it listens on
239.255.255.250:1900 for <seconds>, sends one M-SEARCH (ssdp:all) after <search-after> seconds and records the unicast
answers too. Writes one line per datagram: the source address, a tab, the datagram in base64.
  ssdp-capture.py <interface address> <seconds> <search-after> <output file>"""
import base64
import select
import socket
import struct
import sys
import time

address, seconds, search_after, output = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
group = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
group.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
group.bind(("239.255.255.250", 1900))
group.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP,
                 socket.inet_aton("239.255.255.250") + socket.inet_aton(address))
search = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
search.bind((address, 0))
search.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(address))
search.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, struct.pack("b", 2))
searched = False
start = time.monotonic()
records = []
while time.monotonic() - start < seconds:
    if not searched and time.monotonic() - start >= search_after:
        search.sendto(b'M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: "ssdp:discover"\r\nMX: 1\r\n'
                      b"ST: ssdp:all\r\nUSER-AGENT: Linux/6 UPnP/1.1 ssdp-capture/1\r\n\r\n", ("239.255.255.250", 1900))
        searched = True
    ready, _, _ = select.select([group, search], [], [], 0.2)
    for sock in ready:
        data, (source, _port) = sock.recvfrom(65535)
        if source == address:
            continue  # our own search, looped back
        records.append(source + "\t" + base64.b64encode(data).decode("ascii"))
with open(output, "w", encoding="utf-8") as out:
    for record in records:
        out.write(record + "\n")
print(len(records), "datagrams recorded", file=sys.stderr)
