#!/usr/bin/env python3
"""Advertises one SSDP resource with GSSDP (the GNOME SSDP stack) until killed: a real advertiser for the registry's
tests. SIGTERM: byebye and exit; SIGKILL: it goes silent.
  gssdp-advertise.py <interface> <target URN> <usn> <location> <max-age seconds>"""
import signal
import sys

import gi

gi.require_version("GSSDP", "1.6")
from gi.repository import GLib, GSSDP  # noqa: E402

interface, target, usn, location, max_age = sys.argv[1:6]
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
