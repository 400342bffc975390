#!/usr/bin/env python3
# check-ratios.py: tools/bench/bench-ratios.py on a lab smoke run's
# bench.json (raw, three dispatchers, the fair ovs-vswitchd peer, two
# repetitions): a column per system, a row per headline figure, every
# system over itself 1.00 (the raw limit in the first ratio, the fair peer
# in the second), and a file that is not a bench.json refused in one line.
# Usage: check-ratios.py BENCH-RATIOS.PY BENCH.JSON BAD.JSON
import json
import subprocess
import sys

tool, good, bad = sys.argv[1:4]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print('not ok: ' + what)


run = subprocess.run([sys.executable, tool, good], capture_output=True, text=True)
check(run.returncode == 0, f'exit 0 (got {run.returncode}: {run.stderr.strip()})')
lines = run.stdout.splitlines()
names = [s['name'] for s in json.load(open(good))['systems']]
check(lines and lines[0] == '| x raw / x ovs-vswitchd:LOCAL | ' + ' | '.join(names) + ' |',
      f'header: a column per system (got {lines[:1]})')
rows = [l for l in lines[2:] if l.startswith('| ')]
check(len(rows) == 12, f'12 figures (got {len(rows)})')
raw, fair = names.index('raw') + 2, names.index('ovs-vswitchd:LOCAL') + 2
for r in rows:
    cells = [c.strip(' |') for c in r.split('|')]
    check(cells[raw].split(' / ')[0] in ('1.00', '-'), f'raw over itself: {r}')
    check(cells[fair].split(' / ')[1] in ('1.00', '-'), f'the fair peer over itself: {r}')
    check(all(' / ' in c for c in cells[2:-1]), f'two ratios a cell: {r}')
run = subprocess.run([sys.executable, tool, bad], capture_output=True, text=True)
check(run.returncode == 1 and len(run.stderr.splitlines()) == 1 and 'not a bench.json' in run.stderr,
      f'a bad file: exit 1 and one line (got {run.returncode}: {run.stderr!r})')
if failures:
    sys.exit(1)
print('ok')
