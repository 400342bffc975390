#!/usr/bin/env python3
# check-bench-json.py: the schema of ovsdp-bench's bench.json (the format
# with repetitions) and the fair-load rule: in every repetition, each
# system's offered load (measured on the sender) in each test run at --rate
# within a tolerance of the others' (10 % by default).
#
# Usage: check-bench-json.py [--tolerance F] BENCH.JSON
#   exit 0 when it holds, 1 with each failure printed.
# tests/kernel/test-bench-smoke.py imports it (check_schema, check_offered)
# after its run; the unit suite runs it on tests/unit/bench/bench-smoke.json.
import json
import os
import stat
import sys

TESTS = ['one_port', 'all_ports', 'loaded_port', 'idle_port', 'sockets', 'throughput',
         'wakeups', 'reorder']
KINDS = ['ovsdp', 'raw', 'ovs-vswitchd']
# Tests whose load is set by --rate: (test, part of it or None).
RATED = [('loaded_port', None), ('idle_port', None), ('throughput', 'all_ports_rate')]


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def num_or_null(v):
    # A double that could not be computed (NaN) is written as null.
    return v is None or is_num(v)


def str_or_null(v):
    return v is None or isinstance(v, str)


def is_bool(v):
    return isinstance(v, bool)


def is_list(v):
    return isinstance(v, list)


def is_dict(v):
    return isinstance(v, dict)


def rate_asked(v):
    return v is None or is_int(v) and v > 0


class Checker:
    def __init__(self):
        self.failures = []

    def fail(self, what):
        self.failures.append(what)
        print('not ok: ' + what)

    def keys(self, where, obj, spec):
        # spec: {key: predicate}; every key present and of its type.
        if not is_dict(obj):
            self.fail(f'{where}: an object (got {type(obj).__name__})')
            return False
        good = True
        for k, pred in spec.items():
            if k not in obj:
                self.fail(f'{where}: "{k}" missing')
                good = False
            elif not pred(obj[k]):
                self.fail(f'{where}.{k}: wrong type or value ({obj[k]!r:.80})')
                good = False
        return good


LATENCY = {'done': is_bool, 'sent': is_int, 'send_failures': is_int, 'received': is_int,
           'lost': is_int, 'loss_pct': num_or_null, 'clock': str_or_null,
           'user_clock_probes': is_int, 'latency_us': is_dict, 'samples_us': is_list}
SUMMARY = {k: num_or_null for k in ['min', 'avg', 'max', 'mdev', 'p50', 'p90', 'p99']}
SUMMARY['n'] = is_int
LOAD = {'ports': is_int, 'rate_asked_per_s': rate_asked, 'frames_sent': is_int,
        'send_failures': is_int, 'sender_seconds': num_or_null, 'offered_per_s': num_or_null,
        'window_s': num_or_null, 'handled': is_int, 'handled_per_s': num_or_null,
        'kernel_missed': is_int, 'kernel_lost': is_int}
# Where frames were dropped under load (optional: runs before issue 19's
# item 8 have none).
DROPS = {'probe_port_backlog': is_int, 'softnet_backlog': is_int, 'kernel_lost': is_int,
         'probes_received_at_last_send': is_int,
         'socket_overruns': lambda v: v is None or is_int(v)}
# Added later: checked when present.
DROPS_PER_CPU = {'softnet_backlog_per_cpu': lambda v: is_list(v) and all(is_int(x) for x in v)}
FLOOD = {'done': is_bool, 'ports': is_int, 'rate_asked_per_s': rate_asked,
         'seconds': num_or_null, 'offered': is_int, 'send_failures': is_int,
         'sender_seconds': num_or_null, 'offered_per_s': num_or_null, 'handled': is_int,
         'handled_per_s': num_or_null, 'clock': lambda v: v is None, 'kernel_missed': is_int,
         'kernel_lost': is_int, 'upcalls_per_s': num_or_null, 'handler_cpu_s': num_or_null,
         'cpu_us_per_upcall': num_or_null}
ALL_PORTS = {'done': is_bool, 'clock': str_or_null, 'user_clock_probes': is_int,
             'avg_of_avgs_us': num_or_null, 'mdev_of_avgs_us': num_or_null, 'ports': is_list}
SOCKETS = {'done': is_bool, 'ports': is_int, 'netlink_sockets': is_int,
           'upcall_sockets': lambda v: v is None or is_int(v)}
WAKEUPS = {'done': is_bool, 'frames': is_int, 'handled': is_int,
           'ctx_switches_voluntary': is_int, 'ctx_switches_involuntary': is_int,
           'ctx_switches_per_upcall': num_or_null, 'wakeups': lambda v: v is None or is_int(v),
           'empty_wakeups': lambda v: v is None or is_int(v),
           'empty_wakeups_per_upcall': num_or_null}
REORDER = {'done': is_bool, 'flows': is_int, 'frames_per_flow': is_int, 'sent': is_int,
           'received': is_int, 'reordered': is_int, 'duplicates': is_int,
           'reordered_per_flow': num_or_null, 'per_flow': is_list}
SYSTEM = {'name': lambda v: isinstance(v, str) and v != '', 'kind': lambda v: v in KINDS,
          'status': lambda v: v in ['ok', 'unsupported', 'failed', 'skipped'],
          'reason': str_or_null, 'description': str_or_null, 'mode': str_or_null,
          'version': str_or_null, 'handlers': is_int, 'repetitions': is_list}
REP = {'rep': is_int, 'position': is_int,
       'status': lambda v: v in ['ok', 'unsupported', 'failed', 'skipped', 'not run'],
       'reason': str_or_null, 'setup_s': num_or_null, 'handler_threads_pinned': is_int,
       'tests': is_dict}


def check_latency(c, where, t):
    if not c.keys(where, t, LATENCY):
        return
    c.keys(where + '.latency_us', t['latency_us'], SUMMARY)
    if not t['done']:
        return
    # The clock that timed the receives is recorded: the kernel's, or said
    # to be ours.
    if t['clock'] not in ('kernel', 'user-space'):
        c.fail(f'{where}: clock is "kernel" or "user-space" (got {t["clock"]!r})')
    if (t['clock'] == 'kernel') != (t['user_clock_probes'] == 0):
        c.fail(f'{where}: clock and user_clock_probes agree')
    if t['received'] > t['sent'] or t['lost'] != t['sent'] - t['received']:
        c.fail(f'{where}: lost = sent - received, received <= sent')
    if len(t['samples_us']) != t['received']:
        c.fail(f'{where}: a sample per received probe')
    if 'load' in t:
        if c.keys(where + '.load', t['load'], LOAD) and 'drops' in t['load']:
            drops = t['load']['drops']
            if c.keys(where + '.load.drops', drops, DROPS) and 'softnet_backlog_per_cpu' in drops:
                c.keys(where + '.load.drops', drops, DROPS_PER_CPU)
        c.keys(where, t, {'offered_per_s': num_or_null, 'handled_per_s': num_or_null})


def check_tests(c, where, tests, rate):
    if sorted(tests) != sorted(TESTS):
        c.fail(f'{where}: tests {sorted(tests)} are not {sorted(TESTS)}')
        return
    for name in ['one_port', 'loaded_port', 'idle_port']:
        check_latency(c, f'{where}.{name}', tests[name])
    for name in ['loaded_port', 'idle_port']:
        t = tests[name]
        if t.get('done') and 'load' not in t:
            c.fail(f'{where}.{name}: done under load, but no offered and handled load')
    ap = tests['all_ports']
    if c.keys(where + '.all_ports', ap, ALL_PORTS):
        for i, p in enumerate(ap['ports']):
            if c.keys(f'{where}.all_ports.ports[{i}]', p, {'veth': is_int, 'probes': is_dict}):
                check_latency(c, f'{where}.all_ports.ports[{i}].probes', p['probes'])
    tp = tests['throughput']
    parts = ['one_port', 'all_ports'] + (['all_ports_rate'] if rate and tp.get('done') else [])
    if c.keys(where + '.throughput', tp, {'done': is_bool}):
        for part in parts:
            if part not in tp:
                c.fail(f'{where}.throughput: "{part}" missing')
            else:
                c.keys(f'{where}.throughput.{part}', tp[part], FLOOD)
    c.keys(where + '.sockets', tests['sockets'], SOCKETS)
    c.keys(where + '.wakeups', tests['wakeups'], WAKEUPS)
    c.keys(where + '.reorder', tests['reorder'], REORDER)


def check_peer(c, doc, s):
    """An Open vSwitch peer's system (reports since --ovs-build say which
    peer): named after its peer, whose version is under "versions"."""
    if 'ovs_peer' not in s:
        return
    name = s['name']
    if not c.keys(name, s, {'ovs_peer': lambda v: isinstance(v, str) and v != '',
                            'ovs_build': str_or_null, 'ovs_rule': str_or_null,
                            'datapath_type': lambda v: isinstance(v, str)}):
        return
    if not name.startswith(s['ovs_peer']):
        c.fail(f'{name}: named after its peer {s["ovs_peer"]}')
    if s['ovs_peer'] not in doc.get('versions', {}):
        c.fail(f'{name}: versions.{s["ovs_peer"]} missing')


def check_schema(doc, c=None):
    """Every key bench.json must have, with its type, per system, test and
    repetition; returns the Checker (its failures)."""
    c = c or Checker()
    if not c.keys('bench.json', doc, {'tool': lambda v: v == 'ovsdp-bench',
                                      'version': lambda v: isinstance(v, str), 'params': is_dict, 'host': is_dict,
                                      'load_generator': is_dict, 'repetitions': is_list,
                                      'systems': is_list, 'plots': is_list}):
        return c
    p = doc['params']
    if not c.keys('params', p, {'repeat': lambda v: is_int(v) and v >= 1, 'seed': is_int,
                                'rate_per_s': lambda v: v is None or is_int(v),
                                'smoke': is_bool}):
        return c
    n = p['repeat']
    names = [s.get('name') for s in doc['systems'] if is_dict(s)]
    if len(doc['repetitions']) != n:
        c.fail(f'repetitions: one per params.repeat ({n}), got {len(doc["repetitions"])}')
    for i, r in enumerate(doc['repetitions']):
        if c.keys(f'repetitions[{i}]', r, {'rep': lambda v: v == i + 1, 'order': is_list}):
            if sorted(r['order']) != sorted(names):
                c.fail(f'repetitions[{i}].order: every system once ({r["order"]})')
    if len(set(names)) != len(names):
        c.fail(f'systems: each name once ({names})')
    for s in doc['systems']:
        if not c.keys('system', s, SYSTEM):
            continue
        name = s['name']
        if s['kind'] == 'ovs-vswitchd':
            check_peer(c, doc, s)
        reps = s['repetitions']
        if len(reps) != n:
            c.fail(f'{name}: one repetition per params.repeat ({n}), got {len(reps)}')
        ran = 0
        for i, r in enumerate(reps):
            where = f'{name} rep {i + 1}'
            if not c.keys(where, r, REP):
                continue
            if r['rep'] != i + 1:
                c.fail(f'{where}: numbered {r["rep"]}')
            if r['status'] == 'ok':
                ran += 1
                if i < len(doc['repetitions']):
                    order = doc['repetitions'][i].get('order', [])
                    if name in order and r['position'] != order.index(name) + 1:
                        c.fail(f'{where}: position {r["position"]} is its place in the order')
            elif r['status'] != 'not run' and not r['reason']:
                c.fail(f'{where}: {r["status"]} says why')
            check_tests(c, where + ' tests', r['tests'], p['rate_per_s'])
        if (s['status'] == 'ok') != (ran > 0):
            c.fail(f'{name}: status ok exactly when a repetition ran ({s["status"]}, {ran})')
    return c


def offered(rep, test, part):
    t = rep['tests'][test]
    t = t.get(part) if part else t
    if not t or not t.get('done'):
        return None
    return t.get('offered_per_s')


def check_offered(doc, tolerance, c=None):
    """In each repetition and test run at --rate, every system that ran it
    was offered the same load within 'tolerance' (0.1: 10 %)."""
    c = c or Checker()
    if not doc['params'].get('rate_per_s'):
        return c
    for i in range(doc['params']['repeat']):
        for test, part in RATED:
            got = {}
            for s in doc['systems']:
                r = s['repetitions'][i]
                if r['status'] == 'ok':
                    v = offered(r, test, part)
                    if v is not None:
                        got[s['name']] = v
            label = f'rep {i + 1} {test}' + ('.' + part if part else '')
            print(f'offered frames/s, {label}: ' +
                  ', '.join(f'{k} {v:.0f}' for k, v in got.items()) +
                  f' (asked {doc["params"]["rate_per_s"]})')
            if not got:
                continue
            lo, hi = min(got.values()), max(got.values())
            if not (lo > 0 and hi <= (1 + tolerance) * lo):
                c.fail(f'{label}: every system offered the same load within '
                       f'{tolerance:.0%} ({got})')
    return c


def main_args(args):
    tolerance = 0.1
    if len(args) == 3 and args[0] == '--tolerance':
        tolerance = float(args[1])
        args = args[2:]
    if len(args) != 1:
        print('usage: check-bench-json.py [--tolerance F] BENCH.JSON', file=sys.stderr)
        return 2
    path = args[0]
    # A FIFO or a device would block or never end: a regular file only,
    # of a bounded size, and a clear line (no traceback) when it is bad.
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            raise ValueError('not a regular file')
        if st.st_size > 512 * 1024 * 1024:
            raise ValueError(f'{st.st_size} bytes: larger than 512 MiB')
        with open(path) as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        # A verdict on the file (1), as a failed check is; 2 is for usage.
        print(f'check-bench-json.py: {path}: {e}', file=sys.stderr)
        return 1
    c = check_schema(doc)
    if not c.failures:
        check_offered(doc, tolerance, c)
    print(f'{len(c.failures)} check(s) failed' if c.failures else f'ok: {args[0]}')
    return 1 if c.failures else 0


if __name__ == '__main__':
    sys.exit(main_args(sys.argv[1:]))
