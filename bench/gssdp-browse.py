#!/usr/bin/env python3
"""The peer of bench/ssdp-notify.sh: GSSDP (the GNOME SSDP stack) browsing for one target on one interface; prints
"<epoch µs> <usn>" when a resource becomes available, "browsing" once it listens.
  gssdp-browse.py <interface> <target>"""
import sys
import time

import gi

gi.require_version("GSSDP", "1.6")
from gi.repository import GLib, GSSDP  # noqa: E402

interface, target = sys.argv[1:3]
client = GSSDP.Client.new_full(interface, None, 0, GSSDP.UDAVersion.VERSION_1_0)
browser = GSSDP.ResourceBrowser.new(client, target)
browser.connect("resource-available", lambda _b, usn, _locations: print(time.time_ns() // 1000, usn, flush=True))
browser.set_active(True)
print("browsing", flush=True)
GLib.MainLoop().run()
