#!/usr/bin/env python3
# bench-ratios.py: the report's ratio table from a bench.json: each
# headline figure of each system against the raw limit and against the
# fair Open vSwitch peer (the first actions=LOCAL system that ran), taken
# repetition by repetition and summarised as median [min-max].  The same
# table ovsdp-bench prints under its report; this reads it back from any
# bench.json, also one written before the report had the table.
# Usage: bench-ratios.py BENCH.JSON
import json
import statistics
import sys

# (test, label, path into a repetition's tests)
ROWS = [
    (1, '1: one port, median latency', ('one_port', 'latency_us', 'p50')),
    (1, '1: one port, p99 latency', ('one_port', 'latency_us', 'p99')),
    (2, '2: all ports, mdev of the per-port averages (fairness)', ('all_ports', 'mdev_of_avgs_us')),
    (3, '3: one port under load, median latency', ('loaded_port', 'latency_us', 'p50')),
    (3, '3: one port under load, p99 latency', ('loaded_port', 'latency_us', 'p99')),
    (4, '4: idle port under load, median latency', ('idle_port', 'latency_us', 'p50')),
    (4, '4: idle port under load, p99 latency', ('idle_port', 'latency_us', 'p99')),
    (5, '5: netlink sockets', ('sockets', 'netlink_sockets')),
    (6, '6: saturation, one flood port: handled frames/s (higher is better)',
     ('throughput', 'one_port', 'handled_per_s')),
    (6, '6: saturation, all ports: handled frames/s (higher is better)',
     ('throughput', 'all_ports', 'handled_per_s')),
    (6, '6: saturation, all ports: handler CPU per upcall', ('throughput', 'all_ports', 'cpu_us_per_upcall')),
    (7, '7: handler context switches per upcall', ('wakeups', 'ctx_switches_per_upcall')),
]


def figure(system, rep, path):
    reps = system['repetitions']
    if rep >= len(reps) or reps[rep]['status'] != 'ok':
        return None
    v = reps[rep]['tests']
    if not v.get(path[0], {}).get('done', True):
        return None
    for key in path:
        if not isinstance(v, dict) or key not in v:
            return None
        v = v[key]
    return v if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def cell(system, base, path):
    if base is None:
        return '-'
    ratios = []
    for r in range(len(system['repetitions'])):
        a, b = figure(system, r, path), figure(base, r, path)
        if a is not None and b is not None and b > 0:
            ratios.append(a / b)
    if not ratios:
        return '-'
    med, lo, hi = statistics.median(ratios), min(ratios), max(ratios)
    return f'{med:.2f}' if lo == hi else f'{med:.2f} [{lo:.2f}-{hi:.2f}]'


def main(argv):
    if len(argv) != 2:
        sys.stderr.write('usage: bench-ratios.py BENCH.JSON\n')
        return 2
    try:
        with open(argv[1]) as f:
            doc = json.load(f)
        systems = doc['systems']
        tests = doc['params'].get('tests', list(range(1, 9)))
    except (OSError, ValueError, KeyError, TypeError) as e:
        sys.stderr.write(f'bench-ratios.py: {argv[1]}: not a bench.json ({e})\n')
        return 1
    ran = [s for s in systems if s['status'] == 'ok']
    # The per-cpu raw limit, else the per-vport one.
    raw = next((s for s in ran if s['name'] == 'raw'), None) or \
        next((s for s in ran if s['kind'] == 'raw'), None)
    fair = next((s for s in ran if s['kind'] == 'ovs-vswitchd' and s.get('ovs_rule') == 'actions=LOCAL'),
                None)
    print(f'| x {raw["name"] if raw else "-"} / x {fair["name"] if fair else "-"} | ' +
          ' | '.join(s['name'] for s in systems) + ' |')
    print('|---|' + '---|' * len(systems))
    for test, label, path in ROWS:
        if test != 5 and test not in tests:
            continue
        cells = [s['status'] if s['status'] != 'ok' else
                 f'{cell(s, raw, path)} / {cell(s, fair, path)}' for s in systems]
        print(f'| {label} | ' + ' | '.join(cells) + ' |')
    return 0


if __name__ == '__main__':
    sys.exit(main(sys.argv))
