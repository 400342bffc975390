#!/usr/bin/env python3
# check-drops.py CHECKER SMOKE.JSON: check-bench-json.py on the drop counts
# of tests 3 and 4 (issue 19, item 8): a report without them passes, one
# with well-formed counts passes, one with a malformed count fails and
# names it.  The fixture is the lab smoke run's report, changed in memory.
import copy
import importlib.util
import json
import sys

spec = importlib.util.spec_from_file_location('checker', sys.argv[1])
checker = importlib.util.module_from_spec(spec)
spec.loader.exec_module(checker)
with open(sys.argv[2]) as f:
    base = json.load(f)


def loads(doc):
    for s in doc['systems']:
        for rep in s['repetitions']:
            for name in ['loaded_port', 'idle_port']:
                t = rep.get('tests', {}).get(name, {})
                if 'load' in t:
                    yield t['load']


def failures(doc):
    c = checker.Checker()
    checker.check_schema(doc, c)
    return c.failures


good = copy.deepcopy(base)
n = 0
for i, load in enumerate(loads(good)):
    load['drops'] = {'probe_port_backlog': i, 'softnet_backlog': 2 * i, 'kernel_lost': 0,
                     'probes_received_at_last_send': 0, 'softnet_backlog_per_cpu': [i, i],
                     'socket_overruns': None if i % 2 else 3}
    n += 1
assert n, 'the fixture has tests under load'
assert not failures(base), failures(base)
assert not failures(good), failures(good)

bad = copy.deepcopy(good)
next(loads(bad))['drops']['softnet_backlog'] = -1.5
got = failures(bad)
assert len(got) == 1 and 'drops.softnet_backlog' in got[0], got

bad = copy.deepcopy(good)
next(loads(bad))['drops']['softnet_backlog_per_cpu'] = [1, 'x']
got = failures(bad)
assert len(got) == 1 and 'drops.softnet_backlog_per_cpu' in got[0], got
del next(loads(bad))['drops']['softnet_backlog_per_cpu']
assert not failures(bad), 'the per-CPU counts are optional'

bad = copy.deepcopy(good)
del next(loads(bad))['drops']['kernel_lost']
got = failures(bad)
assert len(got) == 1 and '"kernel_lost" missing' in got[0], got
print(f'ok: {n} loaded tests with drops pass, malformed ones fail')
