#!/usr/bin/env python3
"""Checks a locale file against the French source: same keys, same {placeholders}.

Usage: python3 .ci/check_locale.py app/locales/ar.json [...]
The Rust test `every_locale_has_every_message` is the authority; this is a quick check for
translators who do not build the project.
"""
import json, re, sys

source = json.load(open('app/locales/fr.json'))
placeholder = re.compile(r'\{[a-z_]+\}')
failed = False
for path in sys.argv[1:]:
    target = json.load(open(path))
    missing = source.keys() - target.keys()
    extra = target.keys() - source.keys()
    for key in sorted(missing):
        print(f'{path}: missing {key}'); failed = True
    for key in sorted(extra):
        print(f'{path}: unknown {key}'); failed = True
    for key in source.keys() & target.keys():
        if sorted(placeholder.findall(source[key])) != sorted(placeholder.findall(target[key])):
            print(f'{path}: {key} placeholders differ'); failed = True
        if not target[key].strip():
            print(f'{path}: {key} is empty'); failed = True
    if not failed:
        print(f'{path}: ok ({len(target)} messages)')
sys.exit(1 if failed else 0)
