#!/usr/bin/env python3
"""Advertises one SSDP resource with GSSDP (the GNOME SSDP stack) until killed, and serves its device description at
the LOCATION: a real advertiser for the registry's tests. SIGTERM: byebye and exit; SIGKILL: it goes silent.
  gssdp-advertise.py <interface> <target URN> <usn> <location> <max-age seconds> [friendly name]"""
import http.server
import signal
import sys
import threading
import time
import urllib.parse
from xml.sax.saxutils import escape

import gi

gi.require_version("GSSDP", "1.6")
from gi.repository import GLib, GSSDP  # noqa: E402

interface, target, usn, location, max_age = sys.argv[1:6]
friendly = sys.argv[6] if len(sys.argv) > 6 else "GSSDP test box"
url = urllib.parse.urlsplit(location)
udn = usn.split("::")[0]
description = ("<?xml version=\"1.0\"?>\n<root xmlns=\"urn:schemas-upnp-org:device-1-0\"><specVersion><major>1</major>"
               "<minor>0</minor></specVersion><device><deviceType>" + escape(target) + "</deviceType><friendlyName>"
               + escape(friendly) + "</friendlyName><manufacturer>Netwarden tests</manufacturer><modelName>GSSDP box"
               "</modelName><UDN>" + escape(udn) + "</UDN></device></root>").encode()


BOMB = (b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;"><!ENTITY d "&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;">]>'
        b'<root><device><friendlyName>&d;&d;&d;&d;</friendlyName></device></root>')


class Description(http.server.BaseHTTPRequestHandler):
    """The description at the LOCATION's path; a LOCATION path of /redirect…, /bomb… or /endless… makes the server
    hostile in that way instead."""

    def do_GET(self):
        if url.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1/elsewhere.xml")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if url.path.startswith("/bomb"):
            self.send_response(200)
            self.send_header("Content-Length", str(len(BOMB)))
            self.end_headers()
            self.wfile.write(BOMB)
            return
        if url.path.startswith("/endless"):
            self.send_response(200)
            self.end_headers()
            try:
                while True:
                    self.wfile.write(b"<root>" * 10)
                    self.wfile.flush()
                    time.sleep(0.05)
            except OSError:
                return
        if self.path != url.path:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(description)))
        self.end_headers()
        self.wfile.write(description)

    def log_message(self, *_):
        pass


server = http.server.ThreadingHTTPServer((url.hostname, url.port or 80), Description)
threading.Thread(target=server.serve_forever, daemon=True).start()
client = GSSDP.Client.new_full(interface, None, 0, GSSDP.UDAVersion.VERSION_1_0)
group = GSSDP.ResourceGroup.new(client)
group.set_max_age(int(max_age))
group.add_resource_simple(target, usn, location)
group.set_available(True)
loop = GLib.MainLoop()


def stop(*_):
    group.set_available(False)  # sends ssdp:byebye
    GLib.timeout_add(300, loop.quit)
    return GLib.SOURCE_REMOVE


GLib.unix_signal_add(GLib.PRIORITY_DEFAULT, signal.SIGTERM, stop)
print("advertising", usn, flush=True)
loop.run()
