"""Runs Debian's wapiti 3.0.4 with its URL exclusions working.

wapiti 3.0.4 turns each --exclude pattern into a regular expression ending
in "\\Z(?ms)", which Python 3.11 refuses (global flags must come first), so
any -x makes it crash before crawling. This puts the flags first and then
runs wapiti's own entry point with the same arguments.
"""
import re
import sys

import wapitiCore.net.crawler as crawler
from wapitiCore.main.wapiti import wapiti_main


def wildcard_translate(pattern):
    return re.compile("(?ms)" + ".*".join(re.escape(part) for part in pattern.split("*")) + r"\Z")


crawler.wildcard_translate = wildcard_translate
sys.argv[0] = "wapiti"
sys.exit(wapiti_main())
