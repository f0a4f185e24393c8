#!/usr/bin/python3
"""
guard_fuzz — a seeded, reproducible fuzzer for service_id's guards (issue 8).

WHAT IT DOES
  Random sequences of steps, each one SQL statement, mixing
    * every API function of SPEC section 5 (those the installed version
      has), called by the application role (sidfuzz_app, given
      service_id.grant_usage), sometimes by the owner or by a reader
      (sidfuzz_reader, given grant_read), with valid and hostile arguments:
      NULLs, '', white space incl. U+3000, NBSP and U+200B, control
      characters, 255/256-character ids, upper case, trailing dots,
      schemes, ports and paths in websites, mistyped numbers, unknown
      numbers, other accounts' numbers, granted numbers used by strangers;
    * hand-written DML on every table of the extension (instance,
      instance_usage, number_store, filing_store, audit_store, product,
      region), as the owner (a superuser) and as the application role:
      INSERT (multi-row, ON CONFLICT, INSERT ... SELECT), UPDATE of every
      column (NULLs, state = grantee, re-keys, swaps), DELETE, TRUNCATE
      [CASCADE], COPY FROM STDIN, writable CTEs, MERGE; DBA edits of
      allowances (lower and raise) and regions;
    * transactions: BEGIN at every isolation level, SAVEPOINT, ROLLBACK TO,
      RELEASE, COMMIT, ROLLBACK; in half the episodes psql's
      ON_ERROR_ROLLBACK behaviour (a savepoint around each statement).
  In single-session mode (--sessions 1) the steps run one after another.
  In concurrent mode (--sessions 2..4, or a range like 2-4) each session
  has its own connection and thread; the driver sends the steps in their
  generated order, and a statement that waits for a lock (seen in
  pg_blocking_pids) is left waiting while the other sessions go on (that
  session's later steps queue behind it).  statement_timeout (20 s),
  lock_timeout (3 s) and deadlock_timeout (100 ms) bound every wait.

  After every step that commits (single-session: an autocommit statement or
  a COMMIT; concurrent: every committed transaction) it runs, as the owner,
  test/invariants.sql and the differential checks, and it fails on
    * a violated invariant.  Kinds 'audit', 'allowance' and 'restore' are
      left out for the rest of an episode once it has inserted numbers,
      filings or audit rows by hand or changed an allowance (see
      test/invariants.sql); the differential checks below still hold
      those steps to the rules;
    * a differential violation between two checks: a number or filing
      whose state changed without a new audit row of the matching action
      (a filing inserted by hand that binds an unused number included), an
      illegal transition, a deleted number or filing, a changed immutable
      column, a new number without its 'issued' row or a new filing
      without its 'registered' row when no hand insert ran, an instance
      that had numbers or filings and changed purchaser or product or
      vanished, consumed pushed above the allowance without hand inserts
      or allowance edits;
    * an error raised by the extension's code (sid_*.c) whose message,
      detail or hint prints a whole number (22P02 excepted: it echoes the
      input), or, for an API call, names an account the caller did not
      pass (SPEC section 7: numbers are secrets, a stranger learns nothing);
    * an error whose SQLSTATE is not allowed: the design notes' list
      (22023 22P02 P0002 42501 55000 53400 23505 23503 23502 23514 40001
      40P01 0A000 42P01 42883), plus 55006 (core refusing a TRUNCATE with
      deferred trigger events pending), plus those its own SQL and its
      timeouts cause (21000 22003 22007 22008 42P10 42804 22P05 22021 42704;
      55P03 57014 25P02 25P01 25001 3B000 3B001), each counted in the
      summary.  XX000-XX002 fail, and so do a lost connection, a crash and
      a server restart (pg_postmaster_start_time(), and the checkpointer's
      start, which a crash restart renews).

  Work is cut into episodes of about --episode-steps steps, each in a
  fresh database made from a template (test/guard_fuzz/setup.sql: the two
  roles, the extension, amcheck, instances of every kind).  An episode is
  generated from (seed, episode, sessions) alone, before it runs: its SQL
  refers to numbers and filing ids returned by earlier steps through
  labels resolved as it runs, so it can be replayed, and replayed with
  steps left out.  On a failure it prints the seed and episode, shrinks
  the sequence (without the failed and read-only steps first, then delta
  debugging), replaying in fresh databases -- concurrent failures replay the
  recorded interleaving: the same order of sends, waiting where the
  original waited -- and prints the shortest sequence that still fails the
  same way as SQL to paste into psql (numbers the API returned are kept in
  psql variables with \\gset; a concurrent one as blocks per session, in
  order, marked where a statement waits for a lock).

RUNNING
  Needs a running server reached through the libpq environment (PGHOST,
  PGPORT, PGUSER, PGPASSWORD, as pg_virtualenv sets them), a superuser,
  service_id and amcheck installed, and python3-psycopg (psycopg 3).
  test/guard_fuzz/run.sh starts a throwaway cluster (pg_virtualenv) itself
  and prints TAP:
      test/guard_fuzz/run.sh test     # make test: 8000 steps, seed 1, ~1 min
      test/guard_fuzz/run.sh long     # make fuzz: 1 000 000 steps, ~2-3 h
  Directly:
      fuzz.py --seed 7 --steps 5000 --sessions 1
      fuzz.py --seed 7 --minutes 10 --sessions 2-4 --keep-going
      fuzz.py --seed 7 --episode 12 --sessions 3      # replay one episode
  Options: --seed, --steps (total), --sessions, --minutes (time budget),
  --db-prefix (databases PREFIX_tmpl, PREFIX_N), --episode-steps (mean
  episode length, 150), --episode (run that one only), --keep-going (report
  every distinct failure, not only the first), --no-minimize,
  --minimize-seconds, --skip-ops REGEX (generate no op whose name matches:
  to look past a known hole; a replay needs the same value), --ignore
  REGEX (report no failure whose "kind:key" matches, e.g. "message:" or
  "invariant:counter"), --keep-db, --verbose (an example message per
  SQLSTATE, time spent).
  Exit status 0 when clean, 1 on a failure, 2 when it cannot set up.  The
  last line is the summary: episodes, steps, statements, errors by
  SQLSTATE, invariant and differential checks, lock waits, steps/s.

RATES (measured on the 2-core build machine, shared with other work)
  single session: ~195 steps/s at load 1, ~110-140 at load 2-4;
  concurrent (2-4 sessions): ~150 steps/s at load 1, ~90-130 at load 2-4.
  An invariant check (test/invariants.sql, prepared, amcheck included, plus
  the snapshot for the differential checks) costs 6-20 ms, and about one
  step in three commits and is checked; a fresh database per episode
  ~0.1-0.2 s.  So `make test` (8000 steps, 60 % single) takes about a
  minute with the cluster, and a million steps 1.6 hours on an idle
  machine, about 2.5 on a busy one.
"""

import argparse
import collections
import os
import queue
import random
import re
import sys
import threading
import time

try:
    import psycopg
    from psycopg import pq
except ImportError:  # pragma: no cover
    sys.stderr.write("guard_fuzz needs psycopg 3 (Debian: apt-get install python3-psycopg)\n")
    sys.exit(2)

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(os.path.dirname(HERE))
SETUP_SQL = os.path.join(HERE, 'setup.sql')
INVARIANTS_SQL = os.path.join(TOP, 'test', 'invariants.sql')

APP = 'sidfuzz_app'
READER = 'sidfuzz_reader'

# SQLSTATEs an operation may legitimately fail with (design notes 1.2).
ALLOWED = {
    '22023', '22P02', 'P0002', '42501', '55000', '53400', '23505', '23503',
    '23502', '23514', '40001', '40P01', '0A000', '42P01', '42883',
}
# Refusals by core that the design notes' list does not name but that are
# refusals all the same: TRUNCATE of a table with deferred trigger events
# pending in the same transaction (1.2's deferred foreign keys queue them).
CORE_REFUSALS = {'55006'}
# Caused by the harness: its timeouts, a statement in a failed
# transaction, transaction control that a shrunk sequence left unmatched.
HARNESS = {'55P03', '57014', '25P02', '25P01', '25001', '3B001', '3B000'}
# Caused by the fuzzer's own deliberately odd SQL, in core code: a subquery
# returning two rows, a number out of range, a MERGE or ON CONFLICT
# touching a row twice, a timestamp out of range, a role name that is not
# a role (the regrole argument of grant_usage).
GENERATED = {'21000', '22003', '22008', '22007', '42P10', '42804', '22P05', '22021', '42704'}


def classify(state):
    if state is None:
        return 'ok'
    if state in ALLOWED or state in CORE_REFUSALS:
        return 'allowed'
    if state in HARNESS:
        return 'harness'
    if state in GENERATED:
        return 'generated'
    return 'bad'


# ----------------------------------------------------------------------
# Numbers: the format of src/sid_core.c (RFC 9562 version 8, CRC-32C of
# bytes 0..11 stored little-endian in bytes 12..15), so that the fuzzer can
# make valid numbers nobody issued, reproducibly.
# ----------------------------------------------------------------------
def _crc32c_table():
    t = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0x82F63B78 if c & 1 else c >> 1
        t.append(c)
    return t


_CRC_T = _crc32c_table()


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc = _CRC_T[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def make_number(rng):
    b = bytearray(rng.getrandbits(8) for _ in range(12))
    b[6] = 0x80 | (b[6] & 0x0F)
    b[8] = 0x80 | (b[8] & 0x3F)
    b += crc32c(bytes(b)).to_bytes(4, 'little')
    h = b.hex()
    return '%s-%s-%s-%s-%s' % (h[0:8], h[8:12], h[12:16], h[16:20], h[20:32])


def typo(number):
    """One hex digit changed: always rejected by the type (22P02)."""
    i = 0 if number[0] != '-' else 1
    c = number[i]
    d = '0123456789abcdef'[(int(c, 16) + 7) % 16]
    return number[:i] + d + number[i + 1:]


# ----------------------------------------------------------------------
# SQL text
# ----------------------------------------------------------------------
def lit(s):
    """A SQL literal for a Python string (None -> NULL), readable in psql."""
    if s is None:
        return 'NULL'
    if all(ch >= ' ' and ch != '\x7f' for ch in s):
        return "'" + s.replace("'", "''") + "'"
    out = []
    for ch in s:
        if ch == '\\':
            out.append('\\\\')
        elif ch == "'":
            out.append("\\'")
        elif ch < ' ' or ch == '\x7f':
            out.append('\\x%02x' % ord(ch))
        else:
            out.append(ch)
    return "E'" + ''.join(out) + "'"


def copy_field(v):
    if v is None:
        return '\\N'
    return (v.replace('\\', '\\\\').replace('\t', '\\t').replace('\n', '\\n')
            .replace('\r', '\\r'))


class Ref(object):
    """A value returned by an earlier step: a number ('num') or a filing id
    ('fid'), by label (step index, row); form 'exact', 'upper' or 'typo'."""
    __slots__ = ('kind', 'label', 'form')

    def __init__(self, kind, label, form='exact'):
        self.kind, self.label, self.form = kind, label, form

    def var(self):
        return 's%d_%d' % self.label if self.kind == 'num' else 'f%d' % self.label[0]


def fallback_number(label):
    return make_number(random.Random('fallback-%d-%d' % label))


FALLBACK_FID = '999999999'
PSQL_TYPO = '00000000-0000-8000-8000-000000000000'


def ref_exec(ref, values, raw=False):
    v = values.get((ref.kind,) + ref.label)
    if ref.kind == 'fid':
        return str(v) if v is not None else FALLBACK_FID
    if v is None:
        v = fallback_number(ref.label)
    if ref.form == 'upper':
        v = v.upper()
    elif ref.form == 'typo':
        v = typo(v)
    return v if raw else "'" + v + "'"


def ref_psql(ref, values):
    v = values.get((ref.kind,) + ref.label)
    if v is None:
        return ref_exec(ref, values)
    if ref.kind == 'fid':
        return ':' + ref.var()
    if ref.form == 'typo':
        return "'" + PSQL_TYPO + "'"
    return ":'" + ref.var() + ("_u'" if ref.form == 'upper' else "'")


class Step(object):
    __slots__ = ('idx', 'session', 'role', 'op', 'parts', 'ctl', 'capture',
                 'ncap', 'tags', 'copy', 'autosave')

    def __init__(self, idx, session, role, op, parts, ctl=None, capture=None,
                 ncap=0, tags=(), copy=None):
        self.idx, self.session, self.role, self.op = idx, session, role, op
        self.parts = parts if isinstance(parts, list) else [parts]
        self.ctl, self.capture, self.ncap = ctl, capture, ncap
        self.tags = frozenset(tags)
        self.copy = copy        # (table, columns, rows) for COPY FROM STDIN
        self.autosave = False   # inside a transaction, as psql's ON_ERROR_ROLLBACK


def render_exec(step, values):
    if step.copy:
        table, cols, rows = step.copy
        sql = 'COPY %s (%s) FROM STDIN' % (table, ', '.join(cols))
        data = ''.join('\t'.join(copy_field(ref_exec(v, values, raw=True) if isinstance(v, Ref) else v)
                                 for v in row) + '\n' for row in rows)
        return sql, data
    return ''.join(ref_exec(p, values) if isinstance(p, Ref) else p for p in step.parts), None


def render_psql(step, values, rows=None):
    """The statement as a human pastes it into psql.  rows: what it returned
    in the run (captured values become psql variables)."""
    if step.copy:
        table, cols, crow = step.copy
        if any(isinstance(v, Ref) and values.get((v.kind,) + v.label) is not None
               for row in crow for v in row):
            vals = ',\n  '.join('(' + ', '.join(ref_psql(v, values) if isinstance(v, Ref) else lit(v)
                                               for v in row) + ')' for row in crow)
            return ('-- COPY in the run; as INSERT here, since psql puts no variables into COPY data\n'
                    'INSERT INTO %s (%s) VALUES\n  %s;' % (table, ', '.join(cols), vals))
        sql, data = render_exec(step, values)
        return sql + ';\n' + data + '\\.'
    text = ''.join(ref_psql(p, values) if isinstance(p, Ref) else p for p in step.parts)
    if step.capture == 'num' and rows:
        cols = []
        for k in range(min(len(rows), step.ncap)):
            v = 's%d_%d' % (step.idx, k)
            cols.append("(array_agg(n::text))[%d] AS %s, upper((array_agg(n::text))[%d]) AS %s_u"
                        % (k + 1, v, k + 1, v))
        return 'SELECT %s\n  FROM (%s) q(n) \\gset' % (',\n         '.join(cols), text)
    if step.capture == 'fid' and rows:
        return 'SELECT * FROM (%s) q(f%d) \\gset' % (text, step.idx)
    return text + ';'


# ----------------------------------------------------------------------
# The generator
# ----------------------------------------------------------------------
ISOLATION = ['READ COMMITTED', 'REPEATABLE READ', 'SERIALIZABLE']
PRODUCTS = ['ecs', 'simple_application_server', 'slb', 'ack', 'acs', 'oss', 'cdn']
REGIONS = ['cn-hangzhou', 'cn-beijing', 'cn-shenzhen', 'cn-hongkong', 'us-west-1', 'mars-north-1']
STATUSES = ['pending', 'running', 'stopped', 'expired', 'released']
NUM_STATES = ['unused', 'used', 'revoked', 'invalid']
FIL_STATUSES = ['active', 'cancelled', 'access_removed']
ACTIONS = ['issued', 'revoked', 'invalidated', 'registered', 'cancelled', 'access_removed']
ACCOUNTS = ['acct-a', 'acct-b', 'acct-c', 'acct-d', 'grantee-x', 'stranger']
# a number as the extension prints it (canonical 8-4-4-4-12)
NUMBER_RE = re.compile(r'\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b')
TLDS = ['example.com', 'example.cn', 'com.cn', 'example.org', 'xn--fiqs8s.cn']

INSTANCE_COLS = ['instance_id', 'account_id', 'product', 'region', 'billing',
                 'subscribed_months', 'expires_at', 'public_ip', 'status', 'trial']
INSTANCE_TYPES = ['text', 'text', 'text', 'text', 'text', 'int', 'timestamptz', 'inet', 'text', 'bool']
NUMBER_COLS = ['number', 'instance_id', 'applicant', 'grantee', 'state', 'applied_at',
               'state_changed_at']
FILING_COLS = ['account_id', 'website', 'method', 'number', 'instance_id', 'shop_id',
               'status', 'created_at', 'ended_at']
AUDIT_COLS = ['account_id', 'action', 'number', 'instance_id', 'filing_id']

T_INST = 'service_id.instance'
T_USAGE = 'service_id.instance_usage'
T_NUM = 'service_id.number_store'
T_FIL = 'service_id.filing_store'
T_AUD = 'service_id.audit_store'
T_PROD = 'service_id.product'
T_REG = 'service_id.region'


class SessState(object):
    def __init__(self):
        self.in_txn = False
        self.savepoints = []
        self.len = 0


class Gen(object):
    """Makes one episode: a list of Steps, from an rng and the template's
    instances, without looking at any result."""

    def __init__(self, rng, instances, nsessions, caps, skip_ops=None):
        self.r = rng
        self.inst = dict((i, (a, p)) for i, a, p in instances)
        self.inst_ids = [i for i, _, _ in instances]
        self.nsessions = nsessions
        self.caps = caps
        self.skip = re.compile(skip_ops) if skip_ops else None
        self.steps = []
        self.nums = []          # (Ref label, instance, applicant, grantee)
        self.fids = []          # (Ref label, account, website, method)
        self.websites = []
        self.site_no = 0
        self.inst_no = 0
        self.sess = [SessState() for _ in range(nsessions)]
        eligible = ['i-a1', 'i-a2', 'i-a3', 'i-b1', 'i-b2', 'i-c1', 'I-A1', 'i-soon', 'i-d1']
        eligible = [e for e in eligible if e in self.inst] or self.inst_ids
        self.hot = rng.sample(eligible, min(rng.choice([1, 2, 3, 3]), len(eligible)))
        self.profile = rng.choice(['mixed', 'mixed', 'api', 'dml', 'race'])
        # per-episode weights: categories of ops
        self.cat_w = {
            'mixed': {'api': 45, 'own': 34, 'app': 9, 'dba': 7, 'read': 2, 'bad': 1},
            'api': {'api': 78, 'own': 8, 'app': 9, 'dba': 3, 'read': 2, 'bad': 0},
            'dml': {'api': 30, 'own': 52, 'app': 8, 'dba': 8, 'read': 1, 'bad': 1},
            'race': {'api': 55, 'own': 25, 'app': 12, 'dba': 6, 'read': 1, 'bad': 1},
        }[self.profile]
        self.no_hand_inserts = self.profile == 'api'
        self.autosave = self.chance(0.7 if nsessions > 1 else 0.5)

    # -- small choices ---------------------------------------------------
    def chance(self, p):
        return self.r.random() < p

    def pick(self, seq):
        return self.r.choice(seq)

    def wpick(self, pairs):
        total = sum(w for w, _ in pairs)
        x = self.r.random() * total
        for w, v in pairs:
            x -= w
            if x < 0:
                return v
        return pairs[-1][1]

    def hostile_id(self, base):
        k = self.r.randrange(16)
        return [
            lit(base.upper()), lit(' ' + base), lit(base + ' '), lit(base + '\u3000'),
            lit('\u3000' + base), lit(base + '\t'), lit(base[:1] + '\u200b' + base[1:]),
            lit(base + '\u00a0'), 'NULL', "''", "' '", "repeat('x', 255)", "repeat('x', 256)",
            lit(base + '\n'), lit(base + '\x01'), lit(base + '.'),
        ][k]

    def instance(self, hostile=0.08):
        """(sql expression, purchaser or None)."""
        x = self.r.random()
        if x < hostile:
            base = self.pick(self.inst_ids)
            return self.hostile_id(base), None
        if x < hostile + 0.03:
            return lit(self.pick(['i-nope', 'i-A1', 'i-a1 ', 'ecs-1'])), None
        if x < (0.88 if self.profile == 'race' else 0.55):
            i = self.pick(self.hot)
        else:
            i = self.pick(self.inst_ids)
        return lit(i), self.inst[i][0]

    def account(self, purchaser, p_right=0.75):
        x = self.r.random()
        if purchaser is not None and x < p_right:
            return lit(purchaser)
        if x < 0.93:
            return lit(self.pick(ACCOUNTS))
        return self.hostile_id(purchaser or 'acct-a')

    def new_website(self):
        self.site_no += 1
        w = 'site%d.%s' % (self.site_no, self.pick(TLDS))
        self.websites.append(w)
        return w

    def website(self):
        x = self.r.random()
        if x < 0.55 or not self.websites:
            w = self.new_website()
        else:
            w = self.pick(self.websites[-12:])
        if self.chance(0.25):
            return self.website_variant(w)
        return lit(w)

    def website_variant(self, w):
        k = self.r.randrange(22)
        return [
            lit(w.upper()), lit(w.title()), lit(w + '.'), lit(' ' + w), lit(w + ' '),
            lit(w + '\u3000'), lit('http://' + w), lit(w + ':8080'), lit(w + '/path'),
            "'localhost'", lit('a' * 64 + '.com'), lit(('a' * 63 + '.') * 4 + 'com'),
            lit('-' + w), lit(w.replace('.', '..', 1)), "'例子.cn'", lit('exa_mple.' + w),
            "''", 'NULL', lit(w + '\n'), lit(w.upper() + '.'), lit('WWW.' + w), lit(w),
        ][k]

    def number(self, owner=False):
        """SQL for a number argument (a list of parts)."""
        x = self.r.random()
        if self.nums and x < 0.72:
            lab = self.pick(self.nums[-15:] if self.chance(0.7) else self.nums)[0]
            form = self.wpick([(85, 'exact'), (8, 'upper'), (7, 'typo')])
            return [Ref('num', lab, form)]
        if owner and x < 0.85:
            return ['(SELECT number FROM %s WHERE state = %s%s ORDER BY applied_at DESC, number LIMIT 1)'
                    % (T_NUM, lit(self.pick(NUM_STATES)),
                       ' AND instance_id = ' + self.instance(0)[0] if self.chance(0.5) else '')]
        if x < 0.82:
            return [lit(make_number(self.r))]
        if x < 0.88:
            return ['service_id.gen_service_id()']
        return [self.pick(['NULL', "''", "'not-a-number'", "'123e4567-e89b-12d3-a456-426614174000'",
                           "' '", lit(make_number(self.r).upper() + ' ')])]

    def number_info(self):
        """A label with what the generator expects of it, or None."""
        if not self.nums:
            return None
        return self.pick(self.nums[-15:] if self.chance(0.7) else self.nums)

    def fid(self, owner=False):
        x = self.r.random()
        if self.fids and x < 0.8:
            return [Ref('fid', self.pick(self.fids[-12:] if self.chance(0.7) else self.fids)[0])]
        if owner and x < 0.9:
            return ['(SELECT filing_id FROM %s WHERE status = %s ORDER BY filing_id DESC LIMIT 1)'
                    % (T_FIL, lit(self.pick(FIL_STATUSES)))]
        return [self.pick(['NULL', '0', '-1', '999999999', '9223372036854775807'])]

    def ts(self):
        return self.pick(["now()", "now() - interval '1 day'", "now() + interval '1 year'", 'NULL',
                          "'infinity'", "'-infinity'", "now() + interval '2 days'"])

    # -- steps ------------------------------------------------------------
    def emit(self, s, role, op, parts, **kw):
        st = Step(len(self.steps), s, role, op, parts, **kw)
        st.autosave = self.autosave
        self.steps.append(st)
        return st

    def generate(self, n):
        for _ in range(n):
            s = self.r.randrange(self.nsessions)
            self.one(s)
        # close what is open, so that every transaction ends
        for s, ss in enumerate(self.sess):
            if ss.in_txn:
                self.txn_end(s, commit=self.chance(0.75))
        return self.steps

    def one(self, s):
        ss = self.sess[s]
        conc = self.nsessions > 1
        if not ss.in_txn:
            if self.chance(0.45 if conc else 0.12):
                lvl = self.wpick([(55, 'READ COMMITTED'), (25, 'REPEATABLE READ'), (20, 'SERIALIZABLE'),
                                  (8, None)])
                self.emit(s, 'owner', 'txn.begin', 'BEGIN' + (' ISOLATION LEVEL ' + lvl if lvl else ''),
                          ctl='begin')
                ss.in_txn, ss.savepoints, ss.len = True, [], 0
                return
        else:
            ss.len += 1
            if ss.len > 1 and self.chance(0.22):
                self.txn_end(s, commit=self.chance(0.7))
                return
            if self.chance(0.06):
                name = 'sp%d' % (len(ss.savepoints) + 1)
                ss.savepoints.append(name)
                self.emit(s, 'owner', 'txn.savepoint', 'SAVEPOINT ' + name, ctl='savepoint')
                return
            if ss.savepoints and self.chance(0.12):
                name = self.pick(ss.savepoints)
                if self.chance(0.8):
                    self.emit(s, 'owner', 'txn.rollback_to', 'ROLLBACK TO SAVEPOINT ' + name,
                              ctl='rollback_to')
                    ss.savepoints = ss.savepoints[:ss.savepoints.index(name) + 1]
                else:
                    self.emit(s, 'owner', 'txn.release', 'RELEASE SAVEPOINT ' + name, ctl='release')
                    ss.savepoints = ss.savepoints[:ss.savepoints.index(name)]
                return
        for _ in range(20):
            cat = self.wpick([(w, c) for c, w in self.cat_w.items()])
            fn = self.wpick(self.OPS[cat])
            n = len(self.steps)
            fn(self, s)
            if len(self.steps) > n:
                if self.skip and self.skip.search(self.steps[-1].op):
                    self.steps.pop()
                    continue
                if self.no_hand_inserts and self.steps[-1].tags & HAND_INSERT_TAGS:
                    self.steps.pop()
                    continue
                return

    def txn_end(self, s, commit):
        self.emit(s, 'owner', 'txn.commit' if commit else 'txn.rollback',
                  'COMMIT' if commit else 'ROLLBACK', ctl='commit' if commit else 'rollback')
        self.sess[s].in_txn = False

    def api_role(self):
        return self.wpick([(85, 'app'), (12, 'owner'), (3, 'reader')])

    # -- API ops ----------------------------------------------------------
    def op_apply(self, s):
        inst, purchaser = self.instance()
        acct = self.account(purchaser)
        g = None
        if self.chance(0.3):
            g = self.pick([lit('grantee-x'), lit('acct-b'), lit('stranger'), lit('acct-c'),
                           self.hostile_id('grantee-x')])
        if self.chance(0.15):
            sql = 'SELECT service_id.apply_service_id(instance_id => %s, account_id => %s%s)' % (
                inst, acct, ', grantee => ' + g if g else '')
        else:
            sql = 'SELECT service_id.apply_service_id(%s, %s%s)' % (inst, acct, ', ' + g if g else '')
        st = self.emit(s, self.api_role(), 'api.apply', sql, capture='num', ncap=1)
        self.nums.append(((st.idx, 0), inst, acct, g))

    def op_apply_batch(self, s):
        inst, purchaser = self.instance()
        acct = self.account(purchaser)
        n = self.wpick([(60, self.r.randint(1, 5)), (10, 20), (6, 21), (5, 0), (4, -1), (3, 'NULL'),
                        (2, 2147483647), (10, self.r.randint(6, 19))])
        g = ''
        if self.chance(0.2):
            g = ', ' + self.pick([lit('grantee-x'), lit('stranger'), 'NULL', "''"])
        call = 'service_id.apply_service_ids(%s, %s, %s%s)' % (inst, acct, n, g)
        form = self.r.randrange(6)
        ncap = n if isinstance(n, int) and 0 < n <= 20 else 0
        if form == 0:
            sql = 'SELECT n FROM %s n LIMIT 1' % call
            ncap = min(ncap, 1)
        elif form == 1:
            sql = 'SELECT count(*) FROM %s' % call
            ncap = 0
        elif form == 2:
            sql = 'SELECT n FROM %s n ORDER BY n LIMIT 2' % call
            ncap = min(ncap, 2)
        else:
            sql = 'SELECT %s' % call
        st = self.emit(s, self.api_role(), 'api.apply_batch', sql, capture='num' if ncap else None,
                       ncap=ncap)
        for k in range(ncap):
            self.nums.append(((st.idx, k), inst, acct, None))

    def op_check(self, s):
        inst, purchaser = self.instance()
        acct = self.account(purchaser, 0.5) if self.chance(0.8) else None
        self.emit(s, self.api_role(), 'api.check_instance',
                  'SELECT * FROM service_id.check_instance(%s%s)' % (inst, ', ' + acct if acct else ''))

    def op_revoke(self, s):
        info = self.number_info()
        acct = info[2] if info and self.chance(0.7) else self.account(None)
        self.emit(s, self.api_role(), 'api.revoke',
                  ['SELECT service_id.revoke_service_id('] + self.number() + [', %s)' % acct])

    def op_register(self, s):
        info = self.number_info()
        if info and self.chance(0.75):
            num = [Ref('num', info[0], self.wpick([(90, 'exact'), (6, 'upper'), (4, 'typo')]))]
            x = self.r.random()
            if x < 0.6:
                acct = info[3] if info[3] else info[2]
            elif x < 0.8:
                acct = info[2]
            else:
                acct = self.account(None)
        else:
            num = self.number()
            acct = self.account(None)
        web = self.website()
        st = self.emit(s, self.api_role(), 'api.register_filing',
                       ['SELECT service_id.register_filing(%s, %s, ' % (acct, web)] + num + [')'],
                       capture='fid', ncap=1)
        self.fids.append(((st.idx, 0), acct, web, 'service_id'))

    def op_direct(self, s):
        inst, purchaser = self.instance()
        acct = self.account(purchaser, 0.8)
        web = self.website()
        st = self.emit(s, self.api_role(), 'api.register_filing_direct',
                       'SELECT service_id.register_filing_direct(%s, %s, %s)' % (acct, web, inst),
                       capture='fid', ncap=1)
        self.fids.append(((st.idx, 0), acct, web, 'direct'))

    def op_trustpass(self, s):
        acct = self.account(None)
        web = self.website()
        shop = lit('shop-%d' % self.r.randrange(5)) if self.chance(0.85) else self.hostile_id('shop-1')
        st = self.emit(s, self.api_role(), 'api.register_filing_trustpass',
                       'SELECT service_id.register_filing_trustpass(%s, %s, %s)' % (acct, web, shop),
                       capture='fid', ncap=1)
        self.fids.append(((st.idx, 0), acct, web, 'trustpass'))

    def op_end(self, s):
        fn = self.pick(['cancel_filing', 'remove_access'])
        self.emit(s, self.api_role(), 'api.' + fn,
                  ['SELECT service_id.%s(' % fn] + self.fid() + [')'])

    def op_expire(self, s):
        self.emit(s, self.api_role(), 'api.expire', 'SELECT service_id.expire_service_ids()')

    def op_account_fns(self, s):
        fns = [f for f in ('account_numbers', 'account_instances') if f in self.caps]
        if not fns:
            return
        fn = self.pick(fns)
        acct = self.account(self.pick(ACCOUNTS), 0.9)
        self.emit(s, self.api_role(), 'api.' + fn, 'SELECT count(*) FROM service_id.%s(%s)' % (fn, acct))

    def op_misc(self, s):
        k = self.r.randrange(4)
        if k == 0 and 'schedule_expiry' in self.caps:
            self.emit(s, self.pick(['owner', 'app']), 'api.schedule_expiry',
                      'SELECT service_id.schedule_expiry(%s)' % self.pick(["'*/5 * * * *'", "''", 'NULL',
                                                                            "'not a schedule'"]))
        elif k == 1 and 'unschedule_expiry' in self.caps:
            self.emit(s, self.pick(['owner', 'app']), 'api.unschedule_expiry',
                      'SELECT service_id.unschedule_expiry()')
        elif k == 2:
            self.emit(s, self.api_role(), 'api.is_valid',
                      ['SELECT service_id.is_valid('] + self.number() + ['::text)'])
        else:
            self.emit(s, self.api_role(), 'api.gen_service_id', 'SELECT service_id.gen_service_id()')

    def op_grant(self, s):
        fn = self.pick(['grant_usage', 'grant_read'])
        self.emit(s, self.pick(['app', 'reader']), 'api.' + fn,
                  "SELECT service_id.%s(%s)" % (fn, self.pick(["'sidfuzz_app'", "'sidfuzz_reader'", 'NULL',
                                                               "'public'"])))

    # -- reading ----------------------------------------------------------
    def op_read(self, s):
        v = self.pick(['numbers', 'instances', 'filings', 'audit', 'summary'] if 'summary' in self.caps
                      else ['numbers', 'instances', 'filings', 'audit'])
        role = self.pick(['reader', 'reader', 'app'])
        self.emit(s, role, 'read.' + v, 'SELECT count(*) FROM service_id.%s' % v)

    def op_read_store(self, s):
        t = self.pick([T_NUM, T_FIL, T_AUD, T_USAGE])
        self.emit(s, self.pick(['app', 'reader']), 'read.store',
                  'SELECT count(*) FROM %s' % t)

    def op_bad_sql(self, s):
        self.emit(s, self.pick(['app', 'owner']), 'bad.sql', self.pick([
            'SELECT service_id.apply_service_id(1, 2)',
            'SELECT service_id.register_filing()',
            'SELECT * FROM service_id.no_such_table',
            "SELECT service_id.check_instance('i-a1', 'acct-a', 'x')",
        ]))

    # -- instance ---------------------------------------------------------
    def new_instance_id(self):
        self.inst_no += 1
        return 'n-%d' % self.inst_no

    def instance_row(self, iid=None, raw=False):
        """Values for INSTANCE_COLS: SQL expressions, or raw strings for COPY."""
        iid = iid or self.new_instance_id()
        eligible = self.chance(0.6)
        acct = self.pick(ACCOUNTS[:4])
        vals = [iid, acct,
                self.pick(['ecs', 'simple_application_server']) if eligible else self.pick(PRODUCTS),
                'cn-hangzhou' if eligible else self.pick(REGIONS),
                'subscription' if eligible or self.chance(0.5) else 'pay_as_you_go',
                '12' if eligible else str(self.pick([0, 2, 3, 12])),
                None if self.chance(0.2) else ('2099-01-01 00:00:00+00' if eligible else
                                               self.pick(['2099-01-01 00:00:00+00', '2000-01-01 00:00:00+00'])),
                None if not eligible and self.chance(0.3) else '198.51.100.%d' % self.r.randrange(1, 250),
                'running' if eligible else self.pick(STATUSES),
                'false' if eligible or self.chance(0.7) else 'true']
        if self.chance(0.15):       # one hostile column
            k = self.r.randrange(len(vals))
            vals[k] = self.pick([None, '', ' ', 'RUNNING', '-1', vals[0] + '\u3000'])
        if iid and iid not in self.inst and isinstance(iid, str):
            self.inst[iid] = (acct, vals[2])
            self.inst_ids.append(iid)
        if raw:
            return vals
        return [lit(v) for v in vals]

    def op_instance_insert(self, s):
        role = self.pick(['owner', 'app'])
        k = self.r.randrange(7)
        cols = ', '.join(INSTANCE_COLS)
        if k <= 1:
            rows = [self.instance_row() for _ in range(self.r.randint(1, 3))]
            sql = 'INSERT INTO %s (%s) VALUES %s' % (T_INST, cols, ', '.join('(' + ', '.join(r) + ')'
                                                                               for r in rows))
        elif k == 2:
            # upsert of an existing instance: a new purchaser or product
            iid = self.pick(self.hot + self.inst_ids)
            row = self.instance_row(iid)
            sql = ('INSERT INTO %s (%s) VALUES (%s) ON CONFLICT (instance_id) DO UPDATE SET %s'
                   % (T_INST, cols, ', '.join(row),
                      self.pick(['account_id = EXCLUDED.account_id', 'product = EXCLUDED.product',
                                 'status = EXCLUDED.status, public_ip = EXCLUDED.public_ip',
                                 'account_id = EXCLUDED.account_id, product = EXCLUDED.product',
                                 'instance_id = EXCLUDED.instance_id || \'-up\''])))
        elif k == 3:
            row = self.instance_row(self.pick(self.inst_ids))
            sql = 'INSERT INTO %s (%s) VALUES (%s) ON CONFLICT DO NOTHING' % (T_INST, cols, ', '.join(row))
        elif k == 4:
            src, _ = self.instance(0)
            nid = self.new_instance_id()
            self.inst[nid] = (self.pick(ACCOUNTS[:4]), 'ecs')
            self.inst_ids.append(nid)
            sql = ('INSERT INTO %s (%s) SELECT %s, %s, product, region, billing, subscribed_months, '
                   'expires_at, public_ip, status, trial FROM %s WHERE instance_id = %s'
                   % (T_INST, cols, lit(nid), lit(self.inst[nid][0]), T_INST, src))
        elif k == 5:
            # a hostile key
            row = self.instance_row()
            row[0] = self.hostile_id(self.pick(self.inst_ids))
            sql = 'INSERT INTO %s (%s) VALUES (%s)' % (T_INST, cols, ', '.join(row))
        else:
            self.emit(s, role, 'instance.copy', 'COPY', tags=('ins:instance',),
                      copy=(T_INST, INSTANCE_COLS, [self.instance_row(raw=True)
                                                     for _ in range(self.r.randint(1, 3))]))
            return
        self.emit(s, role, 'instance.insert', sql, tags=('ins:instance',))

    def op_instance_update(self, s):
        role = self.pick(['owner', 'app', 'app'])
        inst, _ = self.instance(0.02)
        other = self.pick(self.hot + self.inst_ids)
        col = self.pick(INSTANCE_COLS + ['account_id', 'product', 'instance_id', 'status', 'status']
                        + (['account_id', 'product', 'instance_id'] * 3 if self.profile == 'race' else []))
        val = {
            'instance_id': [lit(other), "instance_id || '-r'", 'upper(instance_id)', 'NULL', "''",
                            lit(self.new_instance_id()), "instance_id || ' '"],
            'account_id': [lit(self.pick(ACCOUNTS)), 'NULL', "''", "upper(account_id)",
                           "account_id || '\u3000'", "'mallory'"],
            'product': [lit(self.pick(PRODUCTS)), 'NULL', "'nope'", "'ECS'"],
            'region': [lit(self.pick(REGIONS)), 'NULL', "'CN-HANGZHOU'"],
            'billing': ["'subscription'", "'pay_as_you_go'", 'NULL', "'free'"],
            'subscribed_months': ['0', '2', '3', '12', '-1', 'NULL', '2147483647', 'subscribed_months + 1'],
            'expires_at': [self.ts()],
            'public_ip': ['NULL', "'198.51.100.77'", "'::1'"],
            'status': [lit(self.pick(STATUSES)), lit(self.pick(STATUSES)), 'NULL', "'RUNNING'"],
            'trial': ['true', 'false', 'NULL'],
        }[col]
        where = self.wpick([(70, 'instance_id = %s' % inst), (10, 'account_id = %s' % lit(self.pick(ACCOUNTS))),
                            (8, 'instance_id IN (%s, %s)' % (inst, lit(other))), (4, 'true'),
                            (8, "status = 'running'")])
        sql = 'UPDATE %s SET %s = %s WHERE %s' % (T_INST, col, self.pick(val), where)
        self.emit(s, role, 'instance.update.' + col, sql)

    def op_instance_swap(self, s):
        a, b = self.r.sample(self.hot + self.inst_ids[:10], 2)
        col = self.pick(['account_id', 'product', 'instance_id'])
        sql = ('UPDATE %s SET %s = CASE instance_id WHEN %s THEN (SELECT %s FROM %s WHERE instance_id = %s) '
               'ELSE (SELECT %s FROM %s WHERE instance_id = %s) END WHERE instance_id IN (%s, %s)'
               % (T_INST, col, lit(a), col, T_INST, lit(b), col, T_INST, lit(a), lit(a), lit(b)))
        self.emit(s, self.pick(['owner', 'app']), 'instance.swap.' + col, sql)

    def op_instance_delete(self, s):
        inst, _ = self.instance(0.02)
        k = self.r.randrange(8)
        if k < 4:
            sql = 'DELETE FROM %s WHERE instance_id = %s' % (T_INST, inst)
        elif k == 4:
            sql = "DELETE FROM %s WHERE status = 'released'" % T_INST
        elif k == 5:
            sql = 'TRUNCATE %s%s' % (T_INST, self.pick(['', ' CASCADE']))
        elif k == 6:
            # delete and re-insert with another purchaser, one statement
            sql = ('WITH d AS (DELETE FROM %s WHERE instance_id = %s RETURNING *) INSERT INTO %s '
                   'SELECT instance_id, %s, product, region, billing, subscribed_months, expires_at, '
                   'public_ip, status, trial FROM d' % (T_INST, inst, T_INST, lit(self.pick(ACCOUNTS))))
        else:
            sql = 'DELETE FROM %s WHERE instance_id = %s RETURNING instance_id' % (T_INST, inst)
        self.emit(s, self.wpick([(80, 'owner'), (20, 'app')]), 'instance.delete', sql,
                  tags=('ins:instance',) if k == 6 else ())

    def op_instance_merge(self, s):
        iid = self.pick(self.hot + self.inst_ids + [self.new_instance_id()])
        row = ['%s::%s' % (v, t) for v, t in zip(self.instance_row(iid), INSTANCE_TYPES)]
        action = self.pick(['UPDATE SET account_id = v.account_id',
                            'UPDATE SET product = v.product, account_id = v.account_id',
                            'UPDATE SET status = v.status', 'DELETE',
                            'UPDATE SET instance_id = v.instance_id || \'-m\''])
        sql = ('MERGE INTO %s t USING (VALUES (%s)) v(%s) ON t.instance_id = v.instance_id '
               'WHEN MATCHED THEN %s WHEN NOT MATCHED THEN INSERT (%s) VALUES (%s)'
               % (T_INST, ', '.join(row), ', '.join(INSTANCE_COLS), action, ', '.join(INSTANCE_COLS),
                  ', '.join('v.' + c for c in INSTANCE_COLS)))
        self.emit(s, self.pick(['owner', 'app']), 'instance.merge', sql, tags=('ins:instance',))

    # -- instance_usage -----------------------------------------------------
    def op_usage(self, s):
        inst, _ = self.instance(0.05)
        other = lit(self.pick(self.hot + self.inst_ids))
        k = self.r.randrange(14)
        sql = [
            'UPDATE %s SET consumed = 0 WHERE instance_id = %s' % (T_USAGE, inst),
            'UPDATE %s SET consumed = consumed - 1 WHERE instance_id = %s' % (T_USAGE, inst),
            'UPDATE %s SET consumed = NULL WHERE instance_id = %s' % (T_USAGE, inst),
            'UPDATE %s SET instance_id = %s WHERE instance_id = %s' % (T_USAGE, other, inst),
            'DELETE FROM %s WHERE instance_id = %s' % (T_USAGE, inst),
            'DELETE FROM %s WHERE consumed = 0' % T_USAGE,
            'INSERT INTO %s (instance_id, consumed) VALUES (%s, 0)' % (T_USAGE, inst),
            'INSERT INTO %s (instance_id, consumed) VALUES (%s, 0) ON CONFLICT (instance_id) DO UPDATE SET consumed = 0'
            % (T_USAGE, inst),
            'TRUNCATE %s' % T_USAGE,
            'UPDATE %s SET consumed = consumed WHERE instance_id = %s' % (T_USAGE, inst),
            ('WITH d AS (DELETE FROM %s WHERE instance_id = %s RETURNING instance_id) '
             'INSERT INTO %s SELECT instance_id, 0 FROM d' % (T_USAGE, inst, T_USAGE)),
            ('MERGE INTO %s u USING (VALUES (%s, 0)) v(id, c) ON u.instance_id = v.id '
             'WHEN MATCHED THEN UPDATE SET consumed = v.c WHEN NOT MATCHED THEN INSERT VALUES (v.id, v.c)'
             % (T_USAGE, inst)),
            ('UPDATE %s SET instance_id = CASE instance_id WHEN %s THEN %s ELSE %s END '
             'WHERE instance_id IN (%s, %s)' % (T_USAGE, inst, other, inst, inst, other)),
            None,
        ][k]
        if sql is None:
            self.emit(s, 'owner', 'usage.copy', 'COPY', copy=(T_USAGE, ['instance_id', 'consumed'],
                                                              [[self.pick(self.inst_ids), '0']]))
            return
        self.emit(s, self.wpick([(90, 'owner'), (10, 'app')]), 'usage.%d' % k, sql)

    # -- number_store -----------------------------------------------------
    def number_row_sql(self):
        """INSERT ... SELECT of one number row for an instance, mostly consistent."""
        inst, _ = self.instance(0.03)
        state = self.wpick([(50, 'unused'), (20, 'used'), (10, 'revoked'), (8, 'invalid'), (4, None),
                            (3, 'USED'), (5, 'unused')])
        changed = 'NULL' if state == 'unused' else 'now()'
        if self.chance(0.1):
            changed = self.pick(['NULL', 'now()'])
        applicant = 'account_id' if self.chance(0.8) else lit(self.pick(ACCOUNTS))
        grantee = self.pick(['NULL', 'NULL', 'NULL', lit('grantee-x'), lit('stranger'), "''"])
        num = self.number(owner=True) if self.chance(0.15) else [lit(make_number(self.r))]
        return (['SELECT '] + num + [', instance_id, %s, %s, %s, now(), %s FROM %s WHERE instance_id = %s'
                                     % (applicant, grantee, lit(state), changed, T_INST, inst)])

    def op_number_insert(self, s):
        k = self.r.randrange(7)
        cols = ', '.join(NUMBER_COLS)
        role = self.wpick([(92, 'owner'), (8, 'app')])
        if k <= 2:
            parts = ['INSERT INTO %s (%s) ' % (T_NUM, cols)] + self.number_row_sql()
        elif k == 3:
            # multi-row VALUES, straight
            rows = []
            for _ in range(self.r.randint(1, 3)):
                i = self.pick(self.hot + self.inst_ids)
                st = self.pick(['unused', 'unused', 'used', 'revoked'])
                rows.append('(%s, %s, %s, NULL, %s, now(), %s)' % (
                    lit(make_number(self.r)), lit(i), lit(self.inst[i][0] if self.chance(0.85) else 'mallory'),
                    lit(st), 'NULL' if st == 'unused' else 'now()'))
            parts = ['INSERT INTO %s (%s) VALUES %s' % (T_NUM, cols, ', '.join(rows))]
        elif k == 4:
            # bulk: one number for every instance of an account
            parts = ["INSERT INTO %s (%s) SELECT service_id.gen_service_id(), instance_id, account_id, NULL, "
                     "'unused', now(), NULL FROM %s WHERE account_id = %s"
                     % (T_NUM, cols, T_INST, lit(self.pick(ACCOUNTS[:4])))]
        elif k == 5:
            # an existing number again: ON CONFLICT changes it
            parts = (['INSERT INTO %s (%s) SELECT number, instance_id, applicant, grantee, %s, now(), now() '
                      'FROM %s WHERE number = ' % (T_NUM, cols, lit(self.pick(NUM_STATES)), T_NUM)]
                     + self.number(owner=True)
                     + [' ON CONFLICT (number) DO %s' % self.pick([
                         "UPDATE SET state = EXCLUDED.state, state_changed_at = EXCLUDED.state_changed_at",
                         'NOTHING', 'UPDATE SET instance_id = EXCLUDED.instance_id',
                         "UPDATE SET grantee = 'stranger'", "UPDATE SET state = 'unused', state_changed_at = NULL"])])
        else:
            rows = []
            for _ in range(self.r.randint(1, 2)):
                i = self.pick(self.hot + self.inst_ids)
                st = self.pick(['unused', 'used', 'revoked'])
                num = Ref('num', self.number_info()[0]) if self.nums and self.chance(0.2) else make_number(self.r)
                rows.append([num, i, self.inst[i][0], None, st, '2026-01-01 00:00:00+00',
                             None if st == 'unused' else '2026-01-02 00:00:00+00'])
            self.emit(s, role, 'number.copy', 'COPY', tags=('ins:number_store',),
                      copy=(T_NUM, NUMBER_COLS, rows))
            return
        self.emit(s, role, 'number.insert.%d' % k, parts, tags=('ins:number_store',))

    def op_number_update(self, s):
        col = self.wpick([(45, 'state'), (8, 'state_changed_at'), (8, 'instance_id'), (6, 'applicant'),
                          (8, 'grantee'), (6, 'number'), (4, 'applied_at'), (15, 'state2')])
        if col == 'state':
            sets = 'state = %s' % self.pick([lit(x) for x in NUM_STATES] + ['NULL', 'NULL::text', 'grantee',
                                                                             "'USED'", "''", 'applicant',
                                                                             "state || ''"])
            if self.chance(0.5):
                sets += ', state_changed_at = %s' % self.pick(['now()', 'NULL', "'-infinity'"])
        elif col == 'state2':
            col = 'state'
            sets = "state = %s, state_changed_at = now()" % self.pick(["'revoked'", "'invalid'", "'used'"])
        else:
            sets = '%s = %s' % (col, self.pick({
                'state_changed_at': ['now()', 'NULL', "'infinity'"],
                'instance_id': [lit(self.pick(self.hot + self.inst_ids)), 'NULL', "upper(instance_id)"],
                'applicant': [lit(self.pick(ACCOUNTS)), 'NULL', 'grantee'],
                'grantee': [lit(self.pick(ACCOUNTS)), 'NULL', "''", 'applicant'],
                'number': ['service_id.gen_service_id()', lit(make_number(self.r)), 'NULL'],
                'applied_at': ['now()', 'NULL', "'-infinity'"],
            }[col]))
        x = self.r.random()
        if x < 0.6:
            where = ['number = '] + self.number(owner=True)
        elif x < 0.85:
            inst, _ = self.instance(0.02)
            where = ['instance_id = %s AND state = %s' % (inst, lit(self.pick(NUM_STATES)))]
        elif x < 0.95:
            where = ["state = 'unused'"]
        else:
            where = ['true']
        self.emit(s, self.wpick([(92, 'owner'), (8, 'app')]), 'number.update.' + col,
                  ['UPDATE %s SET %s WHERE ' % (T_NUM, sets)] + where)

    def op_number_other(self, s):
        k = self.r.randrange(7)
        role = self.wpick([(90, 'owner'), (10, 'app')])
        if k == 0:
            parts = ['DELETE FROM %s WHERE number = ' % T_NUM] + self.number(owner=True)
        elif k == 1:
            inst, _ = self.instance(0)
            parts = ["DELETE FROM %s WHERE instance_id = %s AND state = 'unused'" % (T_NUM, inst)]
        elif k == 2:
            parts = ['TRUNCATE %s%s' % (T_NUM, self.pick(['', ' CASCADE']))]
        elif k == 3:
            parts = (['MERGE INTO %s n USING (SELECT ' % T_NUM] + self.number(owner=True)
                     + [' AS number) v ON n.number = v.number WHEN MATCHED THEN %s'
                        % self.pick(["UPDATE SET state = 'revoked', state_changed_at = now()",
                                     'DELETE', "UPDATE SET state = NULL",
                                     "UPDATE SET instance_id = %s" % lit(self.pick(self.hot)),
                                     "UPDATE SET state = 'used', state_changed_at = now()"])])
        elif k == 4:
            inst, _ = self.instance(0)
            parts = [('WITH u AS (UPDATE %s SET state = %s, state_changed_at = now() WHERE instance_id = %s '
                      "AND state = 'unused' RETURNING number, instance_id, applicant) "
                      "INSERT INTO %s (account_id, website, method, number, instance_id) "
                      "SELECT applicant, %s, 'service_id', number, instance_id FROM u LIMIT 1")
                     % (T_NUM, self.pick(["'revoked'", "'invalid'", "'used'"]), inst, T_FIL,
                        self.website())]
            self.emit(s, role, 'number.cte_update_filing', parts, tags=('ins:filing_store',))
            return
        elif k == 5:
            parts = [('WITH d AS (DELETE FROM %s WHERE state = %s RETURNING *) INSERT INTO %s '
                      'SELECT * FROM d') % (T_NUM, lit(self.pick(NUM_STATES)), T_NUM)]
            self.emit(s, role, 'number.cte_delete_insert', parts, tags=('ins:number_store',))
            return
        else:
            # the same number unused twice in one statement
            parts = (['UPDATE %s SET state = CASE WHEN state = \'unused\' THEN \'revoked\' ELSE state END, '
                      'state_changed_at = CASE WHEN state = \'unused\' THEN now() ELSE state_changed_at END '
                      'WHERE number IN (' % T_NUM] + self.number(owner=True) + [', '] + self.number(owner=True)
                     + [')'])
        self.emit(s, role, 'number.other.%d' % k, parts,
                  tags=('ins:number_store',) if k == 3 else ())

    # -- filing_store -----------------------------------------------------
    def op_filing_insert(self, s):
        k = self.r.randrange(9)
        role = self.wpick([(92, 'owner'), (8, 'app')])
        cols = ', '.join(FILING_COLS)
        status = self.wpick([(80, "'active'"), (8, "'cancelled'"), (4, 'NULL'), (4, "'ACTIVE'"),
                             (4, "'access_removed'")])
        ended = 'NULL' if status in ("'active'", 'NULL', "'ACTIVE'") else 'now()'
        if k <= 2:
            # bind a number by hand, its own instance, a chosen account
            num = self.number(owner=True)
            acct = self.pick(['applicant', 'coalesce(grantee, applicant)', lit(self.pick(ACCOUNTS)), 'grantee'])
            parts = (['INSERT INTO %s (%s) SELECT %s, %s, \'service_id\', number, instance_id, NULL, %s, now(), %s '
                      'FROM %s WHERE number = ' % (T_FIL, cols, acct, self.website(), status, ended, T_NUM)]
                     + num)
        elif k == 3:
            # an unused number of an instance that is not eligible any more
            inst = lit(self.pick(['i-stopped', 'i-noip', 'i-released', 'i-expired', 'i-hk', 'i-slb']
                                 + self.hot))
            parts = [("INSERT INTO %s (%s) SELECT applicant, %s, 'service_id', number, instance_id, NULL, "
                      "'active', now(), NULL FROM %s WHERE instance_id = %s AND state = 'unused' LIMIT 1")
                     % (T_FIL, cols, self.website(), T_NUM, inst)]
        elif k == 4:
            # a website variant of an active filing
            parts = [("INSERT INTO %s (account_id, website, method, shop_id) SELECT account_id, %s, "
                      "'trustpass', 'shop-z' FROM %s WHERE status = 'active' ORDER BY filing_id DESC LIMIT 1")
                     % (T_FIL, self.pick(['upper(website)', "website || '.'", "' ' || website",
                                         "initcap(website) || ' '", "website || E'\\u3000'", 'website',
                                         "'http://' || website"]), T_FIL)]
        elif k == 5:
            inst, purchaser = self.instance(0.02)
            acct = lit(purchaser) if purchaser and self.chance(0.6) else self.account(None)
            parts = ["INSERT INTO %s (%s) VALUES (%s, %s, 'direct', NULL, %s, NULL, %s, now(), %s)"
                     % (T_FIL, cols, acct, self.website(), inst, status, ended)]
        elif k == 6:
            rows = []
            for _ in range(self.r.randint(1, 3)):
                rows.append("(%s, %s, 'trustpass', NULL, NULL, %s, %s, now(), %s)"
                            % (self.account(None), self.website(), lit('shop-%d' % self.r.randrange(5)),
                               status, ended))
            parts = ['INSERT INTO %s (%s) VALUES %s' % (T_FIL, cols, ', '.join(rows))]
            if self.chance(0.4):
                parts.append(' ON CONFLICT (website) WHERE status = \'active\' DO NOTHING')
        elif k == 7:
            # upsert on the number: a second filing for it becomes an update
            parts = (["INSERT INTO %s (%s) SELECT %s, %s, 'service_id', number, instance_id, NULL, 'active', "
                      'now(), NULL FROM %s WHERE number = ' % (T_FIL, cols, lit(self.pick(ACCOUNTS)),
                                                               self.website(), T_NUM)]
                     + self.number(owner=True)
                     + [' ON CONFLICT (number) DO UPDATE SET %s' % self.pick([
                         'account_id = EXCLUDED.account_id', 'website = EXCLUDED.website',
                         "status = 'cancelled', ended_at = now()", "status = 'active', ended_at = NULL"])])
        else:
            rows = []
            for _ in range(self.r.randint(1, 2)):
                m = self.pick(['trustpass', 'direct', 'service_id'])
                w = self.pick(self.websites[-5:] + [self.new_website()]) if self.websites else self.new_website()
                if self.chance(0.3):
                    w = self.pick([w.upper(), w + '.', ' ' + w, w + '\u3000'])
                i = self.pick(self.hot + self.inst_ids)
                if m == 'service_id':
                    num = Ref('num', self.number_info()[0]) if self.nums else make_number(self.r)
                    rows.append([self.pick(ACCOUNTS), w, m, num, i, None, 'active', '2026-01-01 00:00:00+00', None])
                elif m == 'direct':
                    rows.append([self.inst[i][0], w, m, None, i, None, 'active', '2026-01-01 00:00:00+00', None])
                else:
                    rows.append([self.pick(ACCOUNTS), w, m, None, None, 'shop-c', 'active',
                                 '2026-01-01 00:00:00+00', None])
            self.emit(s, role, 'filing.copy', 'COPY', tags=('ins:filing_store',),
                      copy=(T_FIL, FILING_COLS, rows))
            return
        self.emit(s, role, 'filing.insert.%d' % k, parts, tags=('ins:filing_store',))

    def op_filing_update(self, s):
        col = self.wpick([(35, 'status'), (8, 'ended_at'), (10, 'website'), (8, 'account_id'),
                          (8, 'number'), (6, 'instance_id'), (5, 'method'), (4, 'shop_id'),
                          (5, 'filing_id'), (3, 'created_at'), (8, 'swap')])
        if col == 'swap':
            a = self.fid(owner=True)
            b = self.fid(owner=True)
            parts = (['UPDATE %s f SET number = (SELECT g.number FROM %s g WHERE g.filing_id <> f.filing_id '
                      'AND g.filing_id IN (' % (T_FIL, T_FIL)] + a + [', '] + b + [') LIMIT 1) WHERE f.filing_id IN ('] + a
                     + [', '] + b + [')'])
        else:
            val = {
                'status': [lit(x) for x in FIL_STATUSES] + ['NULL', "'ACTIVE'", 'method'],
                'ended_at': ['now()', 'NULL'],
                'website': ['upper(website)', "website || '.'", self.website(), 'NULL', "' ' || website"],
                'account_id': [lit(self.pick(ACCOUNTS)), 'NULL', "''"],
                'number': ['NULL', 'service_id.gen_service_id()'],
                'instance_id': [lit(self.pick(self.hot + self.inst_ids)), 'NULL'],
                'method': ["'direct'", "'trustpass'", "'service_id'", 'NULL'],
                'shop_id': ["'shop-9'", 'NULL'],
                'filing_id': ['filing_id + 1000', 'NULL', '-filing_id'],
                'created_at': ['now()', 'NULL'],
            }[col]
            sets = '%s = %s' % (col, self.pick(val))
            if col == 'status' and self.chance(0.6):
                sets += ', ended_at = %s' % self.pick(['now()', 'NULL'])
            x = self.r.random()
            if x < 0.7:
                where = ['filing_id = '] + self.fid(owner=True)
            elif x < 0.9:
                where = ["status = 'active' AND method = %s" % lit(self.pick(['service_id', 'direct', 'trustpass']))]
            else:
                where = ['true']
            parts = ['UPDATE %s SET %s WHERE ' % (T_FIL, sets)] + where
        self.emit(s, self.wpick([(92, 'owner'), (8, 'app')]), 'filing.update.' + col, parts)

    def op_filing_other(self, s):
        k = self.r.randrange(5)
        role = self.wpick([(90, 'owner'), (10, 'app')])
        if k == 0:
            parts = ['DELETE FROM %s WHERE filing_id = ' % T_FIL] + self.fid(owner=True)
        elif k == 1:
            parts = ['TRUNCATE %s%s' % (T_FIL, self.pick(['', ' CASCADE']))]
        elif k == 2:
            parts = (['MERGE INTO %s f USING (SELECT ' % T_FIL] + self.fid(owner=True)
                     + [' AS id) v ON f.filing_id = v.id WHEN MATCHED THEN %s'
                        % self.pick(["UPDATE SET status = 'cancelled', ended_at = now()", 'DELETE',
                                     'UPDATE SET website = upper(f.website)', 'UPDATE SET number = NULL',
                                     "UPDATE SET status = 'active', ended_at = NULL"])])
        elif k == 3:
            parts = [("WITH d AS (DELETE FROM %s WHERE status <> 'active' RETURNING *) "
                      "INSERT INTO %s SELECT * FROM d") % (T_FIL, T_FIL)]
            self.emit(s, role, 'filing.cte_delete_insert', parts, tags=('ins:filing_store',))
            return
        else:
            parts = [("WITH c AS (UPDATE %s SET status = 'cancelled', ended_at = now() WHERE status = 'active' "
                      "AND website = %s RETURNING website) INSERT INTO %s (account_id, website, method, shop_id) "
                      "SELECT 'acct-c', upper(website), 'trustpass', 'shop-q' FROM c")
                     % (T_FIL, lit(self.pick(self.websites)) if self.websites else "'x.example.com'", T_FIL)]
            self.emit(s, role, 'filing.cte_cancel_insert', parts, tags=('ins:filing_store',))
            return
        self.emit(s, role, 'filing.other.%d' % k, parts)

    # -- audit_store ------------------------------------------------------
    def op_audit(self, s):
        k = self.r.randrange(6)
        role = self.wpick([(90, 'owner'), (10, 'app')])
        if k == 0:
            parts = (['INSERT INTO %s (account_id, action, number, instance_id, filing_id) VALUES (%s, %s, '
                      % (T_AUD, lit(self.pick(ACCOUNTS)), lit(self.pick(ACTIONS)))] + self.number(owner=True)
                     + [', %s, NULL)' % lit(self.pick(self.hot))])
            self.emit(s, role, 'audit.insert', parts, tags=('ins:audit_store',))
            return
        if k == 1:
            parts = ['UPDATE %s SET %s WHERE event_id = (SELECT max(event_id) FROM %s)'
                     % (T_AUD, self.pick(["action = 'revoked'", 'number = NULL', "db_user = 'nobody'",
                                          'filing_id = filing_id + 1']), T_AUD)]
        elif k == 2:
            parts = ['DELETE FROM %s WHERE %s' % (T_AUD, self.pick(["action = 'issued'", 'true',
                                                                     'event_id = (SELECT min(event_id) FROM %s)' % T_AUD]))]
        elif k == 3:
            parts = ['TRUNCATE %s' % T_AUD]
        elif k == 4:
            self.emit(s, role, 'audit.copy', 'COPY', tags=('ins:audit_store',),
                      copy=(T_AUD, AUDIT_COLS, [[self.pick(ACCOUNTS), self.pick(ACTIONS), make_number(self.r),
                                                 self.pick(self.hot), None]]))
            return
        else:
            parts = [("MERGE INTO %s a USING (SELECT max(event_id) AS id FROM %s) v ON a.event_id = v.id "
                      "WHEN MATCHED THEN %s") % (T_AUD, T_AUD, self.pick(['DELETE', "UPDATE SET action = 'issued'"]))]
        self.emit(s, role, 'audit.other.%d' % k, parts)

    # -- catalogs (DBA) ---------------------------------------------------
    def op_product(self, s):
        role = self.wpick([(90, 'owner'), (10, 'app')])
        p = self.pick(['ecs', 'ecs', 'simple_application_server', 'slb', 'oss'])
        k = self.r.randrange(10)
        if k <= 3:
            sql = 'UPDATE %s SET allowance = %s WHERE product = %s' % (
                T_PROD, self.pick(['0', '1', '2', '3', '5', '6', '20', 'allowance - 1', 'allowance + 1',
                                   'NULL', '-1']), lit(p))
            tags = ('allowance',)
        elif k == 4:
            sql = 'UPDATE %s SET %s WHERE product = %s' % (T_PROD, self.pick([
                'requires_subscription = false', 'requires_subscription = true', 'min_total_months = 0',
                'min_total_months = 13', 'min_remaining_days = 3', 'min_remaining_days = 1000',
                'requires_public_ip = false', 'requires_public_ip = true', 'hint = NULL',
                'min_remaining_days = NULL']), lit(p))
            tags = ()
        elif k == 5:
            sql = ("INSERT INTO %s (product, allowance, requires_subscription, min_total_months, "
                   "min_remaining_days, requires_public_ip, hint) VALUES (%s, %s, true, 3, 0, true, NULL)"
                   % (T_PROD, lit(self.pick(['ecs', 'gpu', 'simple_application_server', 'ECS', 'bad product'])),
                      self.pick(['1', '2', '5', '7'])))
            tags = ('allowance',)
        elif k == 6:
            sql = 'DELETE FROM %s WHERE product = %s' % (T_PROD, lit(self.pick(['slb', 'cdn', 'acs', 'ecs', 'gpu'])))
            tags = ('allowance',)
        elif k == 7:
            sql = "UPDATE %s SET product = %s WHERE product = %s" % (
                T_PROD, lit(self.pick(['ecs2', 'ECS', 'acs2'])), lit(self.pick(['ecs', 'acs', 'gpu'])))
            tags = ('allowance',)
        elif k == 8:
            sql = 'TRUNCATE %s%s' % (T_PROD, self.pick(['', ' CASCADE']))
            tags = ('allowance',)
        else:
            sql = ('MERGE INTO %s p USING (VALUES (%s, %s)) v(product, allowance) ON p.product = v.product '
                   'WHEN MATCHED THEN UPDATE SET allowance = v.allowance WHEN NOT MATCHED THEN '
                   'INSERT (product, allowance) VALUES (v.product, v.allowance)'
                   % (T_PROD, lit(self.pick(['ecs', 'gpu'])), self.pick(['0', '3', '5'])))
            tags = ('allowance',)
        self.emit(s, role, 'product.%d' % k, sql, tags=tags)

    def op_region(self, s):
        role = self.wpick([(90, 'owner'), (10, 'app')])
        r = self.pick(['cn-hangzhou', 'cn-beijing', 'cn-shenzhen', 'cn-hongkong', 'mars-north-1'])
        k = self.r.randrange(7)
        sql = [
            'UPDATE %s SET mainland = %s WHERE region = %s' % (T_REG, self.pick(['true', 'false', 'NULL']), lit(r)),
            'INSERT INTO %s (region, mainland) VALUES (%s, %s)' % (T_REG, lit(self.pick([r, r.upper(), r + ' ',
                                                                                       'mars-north-1'])),
                                                                   self.pick(['true', 'false'])),
            'DELETE FROM %s WHERE region = %s' % (T_REG, lit(r)),
            "UPDATE %s SET region = upper(region) WHERE region = %s" % (T_REG, lit(r)),
            'TRUNCATE %s' % T_REG,
            ('INSERT INTO %s (region, mainland) VALUES (%s, true) ON CONFLICT (region) DO UPDATE SET mainland = '
             'NOT %s.mainland' % (T_REG, lit(r), T_REG)),
            'COPY',
        ][k]
        if sql == 'COPY':
            self.emit(s, role, 'region.copy', 'COPY', copy=(T_REG, ['region', 'mainland'],
                                                            [[self.pick(['mars-north-1', 'cn-hangzhou']), 't']]))
            return
        self.emit(s, role, 'region.%d' % k, sql)

    # -- app role: its own hand-written DML ---------------------------------
    def op_app_dml(self, s):
        n = len(self.steps)
        x = self.r.random()
        if x < 0.35:
            self.op_instance_update(s)
        elif x < 0.55:
            self.op_instance_insert(s)
        elif x < 0.65:
            self.op_instance_swap(s)
        else:
            fn = self.pick([Gen.op_number_update, Gen.op_filing_update, Gen.op_usage, Gen.op_filing_insert,
                            Gen.op_instance_delete, Gen.op_audit, Gen.op_product])
            fn(self, s)
        if len(self.steps) > n:
            self.steps[-1].role = 'app'

    OPS = {
        'api': [(22, op_apply), (10, op_apply_batch), (6, op_check), (8, op_revoke), (20, op_register),
                (8, op_direct), (5, op_trustpass), (8, op_end), (5, op_expire), (2, op_account_fns),
                (1, op_grant), (1, op_misc)],
        'own': [(14, op_instance_update), (6, op_instance_insert), (3, op_instance_swap),
                (4, op_instance_delete), (2, op_instance_merge), (9, op_usage), (8, op_number_insert),
                (14, op_number_update), (5, op_number_other), (10, op_filing_insert),
                (10, op_filing_update), (4, op_filing_other), (4, op_audit)],
        'app': [(1, op_app_dml)],
        'dba': [(3, op_product), (2, op_region)],
        'read': [(3, op_read), (1, op_read_store)],
        'bad': [(1, op_bad_sql)],
    }


HAND_INSERT_TAGS = frozenset(['ins:number_store', 'ins:filing_store', 'ins:audit_store'])


# ----------------------------------------------------------------------
# Running statements
# ----------------------------------------------------------------------
class Outcome(object):
    __slots__ = ('skipped', 'state', 'message', 'where', 'rows', 'lost', 'before', 'after',
                 'events', 'committed', 'exec_sql', 'text', 'source')

    def __init__(self):
        self.skipped = False
        self.state = self.message = self.where = self.rows = None
        self.text = ''          # message, detail and hint together
        self.source = ''        # the C file that raised the error
        self.lost = False
        self.before = self.after = None
        self.events = []        # (exec text, psql text) actually sent, in order
        self.committed = False
        self.exec_sql = None


IDLE, INTRANS, INERROR = pq.TransactionStatus.IDLE, pq.TransactionStatus.INTRANS, pq.TransactionStatus.INERROR

SESSION_SETUP = [
    "SET statement_timeout = '20s'",
    "SET lock_timeout = '3s'",
    "SET deadlock_timeout = '100ms'",
    "SET idle_in_transaction_session_timeout = 0",
    "SET client_min_messages = error",
    "SET search_path = public, service_id",
]


def connect(db, name, autocommit=True):
    conn = psycopg.connect('', dbname=db, autocommit=autocommit, application_name=name)
    conn.prepare_threshold = None
    return conn


class Session(object):
    def __init__(self, db, name):
        self.conn = connect(db, name)
        self.cur = self.conn.cursor()
        for s in SESSION_SETUP:
            self.cur.execute(s)
        self.pid = self.conn.info.backend_pid
        self.role = 'owner'
        self.name = name

    def close(self):
        try:
            self.conn.close()
        except Exception:
            pass

    def status(self):
        return self.conn.info.transaction_status

    def run(self, step, exec_sql, copy_data, psql_sql):
        o = Outcome()
        o.before = self.status()
        if o.before == INERROR and step.ctl not in ('commit', 'rollback', 'rollback_to'):
            o.skipped = True
            o.after = o.before
            return o
        try:
            if step.ctl is None and self.role != step.role:
                if step.role == 'owner':
                    sql = 'RESET SESSION AUTHORIZATION'
                else:
                    sql = 'SET SESSION AUTHORIZATION ' + (APP if step.role == 'app' else READER)
                self.cur.execute(sql)
                o.events.append((sql, sql + ';'))
                self.role = step.role
            auto = step.autosave and step.ctl is None and o.before == INTRANS
            if auto:
                self.cur.execute('SAVEPOINT sidfuzz_auto')
                o.events.append(('SAVEPOINT sidfuzz_auto', None))
            o.exec_sql = exec_sql
            o.events.append((exec_sql + ('\n' + copy_data if copy_data else ''), psql_sql))
            try:
                if copy_data is not None:
                    with self.cur.copy(exec_sql) as cp:
                        cp.write(copy_data)
                else:
                    self.cur.execute(exec_sql)
                    if step.capture and self.cur.description:
                        o.rows = [r[0] for r in self.cur.fetchall()]
            except psycopg.Error as e:
                if auto and not self.conn.broken and self.status() == INERROR:
                    self.cur.execute('ROLLBACK TO SAVEPOINT sidfuzz_auto')
                    self.cur.execute('RELEASE SAVEPOINT sidfuzz_auto')
                    o.events.append(('ROLLBACK TO SAVEPOINT sidfuzz_auto; RELEASE SAVEPOINT sidfuzz_auto', None))
                raise
            if auto:
                self.cur.execute('RELEASE SAVEPOINT sidfuzz_auto')
                o.events.append(('RELEASE SAVEPOINT sidfuzz_auto', None))
        except psycopg.Error as e:
            o.state = getattr(e, 'sqlstate', None)
            try:
                o.message = e.diag.message_primary or str(e)
                o.text = '\n'.join(x for x in (e.diag.message_primary, e.diag.message_detail,
                                                e.diag.message_hint) if x)
                o.source = e.diag.source_file or ''
                if e.diag.source_file:
                    o.where = '%s:%s %s' % (e.diag.source_file, e.diag.source_line, e.diag.source_function)
            except Exception:
                o.message = str(e)
            if o.state is None or o.state.startswith('57P') or o.state.startswith('08') or self.conn.broken:
                o.lost = True
                return o
        except Exception as e:     # the driver's own trouble; report it as lost
            o.state, o.message, o.lost = None, 'client error: %r' % e, True
            return o
        o.after = self.status()
        if step.ctl in ('commit', 'rollback', 'rollback_to') or (o.state and o.after == INERROR):
            self.role = None        # SET SESSION AUTHORIZATION may have been undone
        if o.state is None:
            if step.ctl == 'commit' and o.before == INTRANS and o.after == IDLE:
                o.committed = True
            elif step.ctl is None and o.before == IDLE and o.after == IDLE:
                o.committed = True
        return o


# ----------------------------------------------------------------------
# Checking
# ----------------------------------------------------------------------
# Changes when the server restarts, a crash restart included: the postmaster
# keeps its start time through a crash restart, but the checkpointer is new.
SERVER_ID = ("pg_postmaster_start_time()::text || ' / checkpointer since ' || "
             "coalesce((SELECT backend_start::text FROM pg_catalog.pg_stat_activity "
             "WHERE backend_type = 'checkpointer' LIMIT 1), '?')")

SNAPSHOT_SQL = """
SELECT json_build_object(
 'n', coalesce((SELECT json_agg(json_build_array(number::text, state, instance_id, applicant, grantee))
                  FROM service_id.number_store), '[]'),
 'f', coalesce((SELECT json_agg(json_build_array(filing_id, status, number::text, method, instance_id,
                                                 account_id, website))
                  FROM service_id.filing_store), '[]'),
 'a', coalesce((SELECT json_agg(json_build_array(event_id, action, number::text, filing_id))
                  FROM service_id.audit_store), '[]'),
 'i', coalesce((SELECT json_agg(json_build_array(i.instance_id, i.account_id, i.product, p.allowance))
                  FROM service_id.instance i LEFT JOIN service_id.product p ON p.product = i.product), '[]'),
 'pm', %s)
""" % SERVER_ID


class Snap(object):
    def __init__(self, j):
        self.n = dict((r[0], tuple(r[1:])) for r in j['n'])   # number -> state, instance, applicant, grantee
        self.f = dict((r[0], tuple(r[1:])) for r in j['f'])   # filing -> status, number, method, inst, acct, web
        self.a = dict((r[0], tuple(r[1:])) for r in j['a'])   # event -> action, number, filing
        self.i = dict((r[0], tuple(r[1:])) for r in j['i'])   # instance -> account, product, allowance
        self.pm = j['pm']
        self.consumed = collections.Counter()
        for num, (state, inst, _, _) in self.n.items():
            if state in ('unused', 'used'):
                self.consumed[inst] += 1
        self.has_rows = set(v[1] for v in self.n.values())
        for fid, (status, num, method, inst, acct, web) in self.f.items():
            if method == 'direct':
                self.consumed[inst] += 1
            if inst is not None:
                self.has_rows.add(inst)


class Failure(Exception):
    def __init__(self, kind, key, message, step=None):
        Exception.__init__(self, message)
        self.kind, self.key, self.message, self.step = kind, key, message, step

    @property
    def sig(self):
        return (self.kind, self.key)

    def describe(self):
        return '%s: %s' % (self.kind, self.message)


class Checker(object):
    def __init__(self, db, inv_sql, stats):
        self.conn = connect(db, 'sidfuzz-checker')
        self.cur = self.conn.cursor()
        for s in ["SET statement_timeout = '120s'", "SET lock_timeout = '300ms'",
                  "SET sid_invariants.usage_roles = '%s'" % APP,
                  "SET sid_invariants.read_roles = '%s'" % READER,
                  "SET client_min_messages = error",
                  # prepared: parsing and planning the invariant query cost
                  # more than running it (episodes are small, so one plan fits)
                  'PREPARE sidfuzz_invariants AS ' + inv_sql.strip().rstrip(';'),
                  'PREPARE sidfuzz_snapshot AS ' + SNAPSHOT_SQL]:
            self.cur.execute(s)
        self.inv_sql = inv_sql
        self.stats = stats

    def close(self):
        try:
            self.conn.close()
        except Exception:
            pass

    def check(self, skip_kinds):
        """(violations [(name, kind, n, sample)], Snap).  Raises Failure for an
        error of the invariant query itself (amcheck: XX002), None when a
        lock wait (a session holds TRUNCATE's lock) defers the check."""
        t0 = time.time()
        try:
            self.cur.execute('BEGIN ISOLATION LEVEL REPEATABLE READ')
            self.cur.execute('EXECUTE sidfuzz_invariants')
            rows = self.cur.fetchall()
            self.cur.execute('EXECUTE sidfuzz_snapshot')
            snap = Snap(self.cur.fetchone()[0])
            self.cur.execute('COMMIT')
        except psycopg.Error as e:
            st = getattr(e, 'sqlstate', None)
            try:
                self.cur.execute('ROLLBACK')
            except Exception:
                pass
            if st in ('55P03', '57014', '40001'):
                self.stats['checks_deferred'] += 1
                return None
            if st is None or self.conn.broken:
                raise Failure('crash', 'lost', 'the invariant check lost its connection: %s' % e)
            raise Failure('invariant-error', st, 'the invariant check failed with %s: %s' % (
                st, getattr(e.diag, 'message_primary', str(e))))
        self.stats['invariant_checks'] += 1
        self.stats['t_check'] += time.time() - t0
        bad = [(r[0], r[1], r[3], r[4]) for r in rows if r[2] is not True and r[1] not in skip_kinds]
        return bad, snap


def diff(s0, s1, flags, sticky):
    """Differential invariants between two committed states.  flags: what the
    work committed in between may have done by hand."""
    out = []
    new_events = [s1.a[e] for e in s1.a if e not in s0.a]
    by_num = collections.defaultdict(list)
    by_fil = collections.defaultdict(list)
    for action, num, fil in new_events:
        if num is not None:
            by_num[num].append(action)
        if fil is not None:
            by_fil[fil].append(action)
    want = {'used': 'registered', 'revoked': 'revoked', 'invalid': 'invalidated'}
    hand_num = 'ins:number_store' in flags
    hand_fil = 'ins:filing_store' in flags
    for num, (state, inst, appl, gr) in s0.n.items():
        now = s1.n.get(num)
        if now is None:
            out.append(('number vanished', 'number %s (%s) of %r was deleted' % (num, state, inst)))
            continue
        if now[1:] != (inst, appl, gr):
            out.append(('number changed', 'number %s: instance/applicant/grantee %r -> %r'
                        % (num, (inst, appl, gr), now[1:])))
        if now[0] != state:
            if state != 'unused' or now[0] not in want:
                out.append(('illegal number transition', 'number %s went %s -> %s' % (num, state, now[0])))
            elif want[now[0]] not in by_num.get(num, []):
                out.append(('state change not audited', 'number %s went %s -> %s without a new %r audit row'
                            % (num, state, now[0], want[now[0]])))
    if not hand_num:
        for num, (state, inst, appl, gr) in s1.n.items():
            if num not in s0.n and 'issued' not in by_num.get(num, []):
                out.append(('number without issued row', 'new number %s (%s, of %r) has no issued audit row '
                            'and no hand insert ran' % (num, state, inst)))
    for fid, old in s0.f.items():
        now = s1.f.get(fid)
        if now is None:
            out.append(('filing vanished', 'filing %s (%s, %s) was deleted' % (fid, old[0], old[5])))
            continue
        if now[1:] != old[1:]:
            out.append(('filing changed', 'filing %s: %r -> %r' % (fid, old[1:], now[1:])))
        if now[0] != old[0]:
            act = {'cancelled': 'cancelled', 'access_removed': 'access_removed'}.get(now[0])
            if old[0] != 'active' or act is None:
                out.append(('illegal filing transition', 'filing %s went %s -> %s' % (fid, old[0], now[0])))
            elif act not in by_fil.get(fid, []):
                out.append(('filing end not audited', 'filing %s went %s -> %s without a new %r audit row'
                            % (fid, old[0], now[0], act)))
    for fid, (status, num, method, inst, acct, web) in s1.f.items():
        if fid in s0.f:
            continue
        # a filing that made a number used (it was unused, or new) is a
        # registration, whoever wrote it; others need one unless by hand
        binds = num is not None and (s0.n.get(num, ('new',))[0] != 'used')
        if (binds or not hand_fil) and 'registered' not in by_fil.get(fid, []):
            out.append(('filing not audited', 'new filing %s (%s, %s, number %s%s) has no registered audit row'
                        % (fid, method, web, num, ', which it bound' if binds else '')))
    for inst, (acct, prod, allowance) in s0.i.items():
        if inst not in s0.has_rows and s0.consumed.get(inst, 0) == 0:
            continue
        now = s1.i.get(inst)
        if now is None:
            out.append(('instance with numbers changed', 'instance %r, which has numbers or filings, vanished'
                        % inst))
        elif now[:2] != (acct, prod):
            out.append(('instance with numbers changed', 'instance %r, which has numbers or filings, went %r -> %r'
                        % (inst, (acct, prod), now[:2])))
    if not (flags & HAND_INSERT_TAGS) and 'allowance' not in flags and 'allowance' not in sticky:
        for inst, (acct, prod, allowance) in s1.i.items():
            c1 = s1.consumed.get(inst, 0)
            if allowance is not None and c1 > allowance and c1 > s0.consumed.get(inst, 0):
                out.append(('allowance exceeded', 'instance %r: consumed %d > allowance %d (was %d), with no hand '
                            'insert and no allowance edit' % (inst, c1, allowance, s0.consumed.get(inst, 0))))
    return out


# ----------------------------------------------------------------------
# Databases
# ----------------------------------------------------------------------
class Cluster(object):
    def __init__(self, prefix, log):
        self.prefix = prefix
        self.log = log
        self.admin = connect('postgres', 'sidfuzz-admin')
        self.start_time = self.postmaster_start()
        self.template = prefix + '_tmpl'
        self.n = 0
        self.old = []
        # leftovers of an earlier run with the same prefix
        for (db,) in self.execute("SELECT datname FROM pg_database WHERE datname ~ %s"
                                  % lit('^' + re.escape(prefix) + '_[0-9]+$')).fetchall():
            self.old.append(db)

    def postmaster_start(self):
        return self.execute('SELECT ' + SERVER_ID).fetchone()[0]

    def execute(self, sql):
        try:
            return self.admin.execute(sql)
        except psycopg.OperationalError:
            if not self.admin.broken and not self.admin.closed:
                raise
            self.reconnect()
            return self.admin.execute(sql)

    def reconnect(self, wait=90):
        t = time.time()
        while True:
            try:
                self.admin.close()
            except Exception:
                pass
            try:
                self.admin = connect('postgres', 'sidfuzz-admin')
                self.admin.execute('SELECT 1')
                return
            except psycopg.Error:
                if time.time() - t > wait:
                    raise
                time.sleep(0.3)

    def restarted(self, wait=20.0):
        """None, or a description of what happened to the server.  After a
        lost connection the postmaster may take seconds to notice a crash
        (the dying backend writes its core first): wait up to `wait`."""
        t0 = time.time()
        while True:
            try:
                self.reconnect()
                now = self.postmaster_start()
            except psycopg.Error as e:
                return 'the server is gone: %s' % e
            if now != self.start_time:
                old = self.start_time
                self.start_time = now
                return 'the server restarted (%s -> %s): a backend crashed' % (old, now)
            if time.time() - t0 > wait:
                return None
            time.sleep(0.25)

    def drop(self, db):
        self.execute('DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % db)

    def make_template(self):
        self.drop(self.template)
        self.execute('CREATE DATABASE "%s"' % self.template)
        with connect(self.template, 'sidfuzz-setup') as c:
            c.execute(open(SETUP_SQL).read())
            inst = c.execute('SELECT instance_id, account_id, product FROM service_id.instance '
                             'ORDER BY instance_id COLLATE "C"').fetchall()
            caps = set(r[0] for r in c.execute(
                "SELECT p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
                "WHERE n.nspname = 'service_id' UNION SELECT c.relname FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'service_id'").fetchall())
            version = c.execute("SELECT extversion FROM pg_extension WHERE extname = 'service_id'").fetchone()[0]
        return inst, caps, version

    def fresh(self):
        """A new database from the template.  Old ones are dropped in
        batches: DROP DATABASE forces a checkpoint, which costs as much as
        an episode when it has to write the episode's pages; the second
        and later drops of a batch find little to write."""
        if len(self.old) >= 10:
            self.drop_old(keep=1)
        self.n += 1
        db = '%s_%d' % (self.prefix, self.n)
        self.drop(db)
        self.execute('CREATE DATABASE "%s" TEMPLATE "%s"' % (db, self.template))
        self.old.append(db)
        return db

    def drop_old(self, keep=0):
        while len(self.old) > keep:
            db = self.old.pop(0)
            try:
                self.drop(db)
            except psycopg.Error:
                pass

    def cleanup(self):
        self.drop_old()
        try:
            self.drop(self.template)
        except psycopg.Error:
            pass


# ----------------------------------------------------------------------
# Episodes
# ----------------------------------------------------------------------
class Run(object):
    """One run of one episode (or of a subset of its steps) in a fresh
    database.  Records what it sent, for the reproduction, and the
    interleaving schedule (concurrent mode)."""

    def __init__(self, fz, steps, nsessions, schedule=None):
        self.fz = fz
        self.steps = steps
        self.nsessions = nsessions
        self.schedule_in = schedule
        self.schedule = []          # ('send'|'blocked'|'done', idx)
        self.values = {}
        self.sent = {}              # step -> [(session, idx, exec, psql, note)]
        self.order = []             # steps in the order they were sent
        self.outcomes = {}
        self.sticky = set()
        self.snap = None
        self.failure = None
        self.deferred = set()       # flags of commits whose check was deferred

    # -- shared ----------------------------------------------------------
    def skip_kinds(self):
        k = set()
        if 'ins:number_store' in self.sticky:
            k.add('restore')
        if self.sticky & HAND_INSERT_TAGS:
            k.add('audit')
        if self.sticky & (HAND_INSERT_TAGS | {'allowance'}):
            k.add('allowance')
        return k

    def render(self, step):
        sql, data = render_exec(step, self.values)
        return sql, data, render_psql(step, self.values)

    def absorb(self, step, o):
        """Book-keeping after a statement: stats, captures, failures."""
        st = self.fz.stats
        self.outcomes[step.idx] = o
        if o.skipped:
            st['skipped'] += 1
            return
        st['statements'] += len(o.events)
        st['steps'] += 1
        if o.state:
            st['errors'][o.state] += 1
            st['examples'].setdefault(o.state, '%s: %s' % (step.op, o.message))
        entries = []
        for ex, ps in o.events:
            if ps is None:
                continue
            note = ''
            if o.state and ex.startswith(o.exec_sql or '\0'):
                note = 'ERROR %s: %s' % (o.state, o.message)
            entries.append((step.session, step.idx, ex, ps, note))
        self.sent[step.idx] = entries
        if o.lost:
            what = self.fz.cluster.restarted()
            raise Failure('crash', 'crash', '%s running step %d (%s)%s' % (
                what or 'lost the connection (%s)' % o.message, step.idx, step.op,
                ': ' + o.message if o.message and what else ''), step)
        cls = classify(o.state)
        if cls == 'bad' and not self.ignored('sqlstate', o.state):
            raise Failure('sqlstate', o.state, 'step %d (%s) failed with SQLSTATE %s, not an allowed one: %s%s' % (
                step.idx, step.op, o.state, o.message, ' [%s]' % o.where if o.where else ''), step)
        if o.state:
            self.check_message(step, o)
        if o.state is None and step.capture and o.rows:
            if step.capture == 'num':
                for k, v in enumerate(o.rows[:max(step.ncap, 1)]):
                    self.values[('num', step.idx, k)] = v
            else:
                self.values[('fid', step.idx, 0)] = o.rows[0]
        # the psql text with \gset needs the rows: re-render now
        if entries and step.capture and o.rows:
            s, i, ex, ps, note = entries[-1]
            entries[-1] = (s, i, ex, render_psql(step, self.values, o.rows), note)

    def ignored(self, kind, key):
        pat = self.fz.args.ignore
        return bool(pat and re.search(pat, '%s:%s' % (kind, key)))

    def check_message(self, step, o):
        """SPEC section 7: numbers are secrets, and no error names an account
        other than the caller's.  Only errors the extension raises (its C
        files are sid_*.c) are held to it; 22P02 echoes the input text, as
        the SPEC asks."""
        if step.op.startswith('api.') and o.exec_sql:
            own = set(re.findall(r"'([^']*)'", o.exec_sql))
            for name in ACCOUNTS + ['mallory']:
                if '"%s"' % name in o.text and name not in own and not self.ignored('message', 'account'):
                    raise Failure('message', 'account', 'step %d (%s): the error names account %r, which the '
                                  'caller did not give: %s' % (step.idx, step.op, name,
                                                               o.text.replace('\n', ' / ')), step)
        if o.source.startswith('sid_') and o.state != '22P02' and NUMBER_RE.search(o.text) \
                and not self.ignored('message', 'number'):
            raise Failure('message', 'number', 'step %d (%s): the error names a whole number: %s' % (
                step.idx, step.op, o.text.replace('\n', ' / ')), step)

    def check(self, flags, where):
        if self.fz.cluster.start_time is None:
            self.fz.cluster.start_time = self.fz.cluster.postmaster_start()
        res = self.fz.checker.check(self.skip_kinds())
        if res is None:
            self.deferred |= flags
            return
        flags = flags | self.deferred
        self.deferred = set()
        bad, snap = res
        bad = [b for b in bad if not self.ignored('invariant', b[0])]
        if bad:
            name, kind, n, sample = bad[0]
            raise Failure('invariant', name, '%s (%s, %d rows) after %s: %s' % (name, kind, n, where, sample))
        if snap.pm != self.fz.cluster.start_time:
            what = self.fz.cluster.restarted(0)
            raise Failure('crash', 'crash', '%s, seen by the check after %s' % (what, where))
        if self.snap is not None:
            d = [x for x in diff(self.snap, snap, flags, self.sticky) if not self.ignored('differential', x[0])]
            self.fz.stats['diff_checks'] += 1
            if d:
                raise Failure('differential', d[0][0], '%s after %s: %s' % (d[0][0], where, d[0][1]))
        self.snap = snap

    # -- single session ----------------------------------------------------
    def run_single(self):
        sess = Session(self.db, 'sidfuzz-s0')
        pending = set()
        try:
            self.check(set(), 'setup')
            for step in self.steps:
                sql, data, ps = self.render(step)
                self.order.append(step.idx)
                o = sess.run(step, sql, data, ps)
                self.absorb(step, o)
                if o.skipped:
                    continue
                if o.state is None and o.after == INTRANS:
                    pending |= step.tags
                if o.before != IDLE and o.after == IDLE:
                    committed = pending if o.committed else set()
                    pending = set()
                elif o.committed:
                    committed = set(step.tags)
                else:
                    continue
                if o.committed:
                    self.sticky |= committed
                    self.check(committed, 'step %d (%s)' % (step.idx, step.op))
            if sess.status() != IDLE:
                end = Step(-1, 0, 'owner', 'txn.commit', 'COMMIT', ctl='commit')
                self.order.append(end.idx)
                o = sess.run(end, 'COMMIT', None, 'COMMIT;')
                self.absorb(end, o)
                if o.committed:
                    self.sticky |= pending
                    self.check(pending, 'the final COMMIT')
        finally:
            sess.close()

    # -- concurrent ----------------------------------------------------------
    def run_concurrent(self):
        fz = self.fz
        sessions = []
        workers = []
        mon = None
        try:
            for s in range(self.nsessions):
                sessions.append(Session(self.db, 'sidfuzz-s%d' % s))
            mon = connect(self.db, 'sidfuzz-monitor')
            for sess in sessions:
                w = Worker(sess)
                w.start()
                workers.append(w)
            self.check(set(), 'setup')
            self.mon = mon
            self.workers = workers
            self.busy = {}              # session -> (step, t0, blocked)
            self.txn_flags = [set() for _ in sessions]
            self.inflight = {}          # session -> flags that may commit with the running statement
            self.since_check = set()
            self.commits_pending = False
            if self.schedule_in is None:
                self.drive_free()
            else:
                self.drive_replay()
            # end every transaction still open: commit the sessions that are
            # free first, since the others may wait for their locks
            ended = set()
            t0 = time.time()
            while True:
                for s in list(self.busy):
                    self.poll(s)
                for s, sess in enumerate(sessions):
                    if s not in self.busy and s not in ended and sess.status() != IDLE:
                        ended.add(s)
                        self.dispatch(Step(-(s + 1), s, 'owner', 'txn.commit', 'COMMIT', ctl='commit'))
                if not self.busy:
                    break
                if time.time() - t0 > 60:
                    raise Failure('hang', 'hang', 'sessions %s did not finish at the end of the episode'
                                  % sorted(s + 1 for s in self.busy))
                time.sleep(0.002)
            self.check_now('the end of the episode')
        finally:
            busy = getattr(self, 'busy', {})
            for s in list(busy):
                try:
                    fz.cluster.execute('SELECT pg_terminate_backend(%d)' % sessions[s].pid)
                except Exception:
                    pass
            for w in workers:
                w.stop()
            for w in workers:
                w.join(30)
            for sess in sessions:
                sess.close()
            if mon is not None:
                mon.close()

    def dispatch(self, step):
        s = step.session
        sql, data, ps = self.render(step)
        if step.ctl == 'commit' or (step.ctl is None and self.workers[s].session.status() == IDLE):
            fl = set(self.txn_flags[s]) | set(step.tags)
            self.inflight[s] = fl
            self.since_check |= fl
            self.sticky |= fl
        self.busy[s] = (step, time.time(), False)
        self.schedule.append(('send', step.idx))
        self.order.append(step.idx)
        self.workers[s].submit(step, sql, data, ps)

    def is_blocked(self, s):
        pid = self.workers[s].session.pid
        try:
            r = self.mon.execute('SELECT cardinality(pg_blocking_pids(%s))' % pid).fetchone()[0]
        except psycopg.Error:
            return False
        return r > 0

    def poll(self, s):
        """Handle session s's statement if it has finished; True if it has."""
        if s not in self.busy:
            return True
        w = self.workers[s]
        if not w.done.is_set():
            return False
        step = self.busy.pop(s)[0]
        o = w.take()
        self.schedule.append(('done', step.idx))
        if not o.skipped and o.state is None and o.after == INTRANS:
            self.txn_flags[s] |= step.tags
        if not o.skipped and o.after == IDLE and (o.before != IDLE or step.ctl is not None):
            self.txn_flags[s] = set()
        fl = self.inflight.pop(s, None)
        if fl and o.committed:
            self.since_check |= fl      # it may have committed after the last check began
        self.absorb(step, o)
        if o.committed:
            self.commits_pending = True
            self.check_now('step %d (%s, session %d)' % (step.idx, step.op, s + 1))
        return True

    def check_now(self, where):
        for s in list(self.busy):
            self.poll(s)
        flags = set(self.since_check)
        for fl in self.inflight.values():
            flags |= fl
        self.since_check = set()
        self.check(flags, where)
        self.commits_pending = False

    def settle(self, s, limit=25.0):
        """After a send: wait until the statement finishes or waits for a lock."""
        t0 = time.time()
        w = self.workers[s]
        k = 0
        while True:
            if w.done.wait(0.002 if k < 5 else 0.01):
                self.poll(s)
                return
            k += 1
            if k >= 3 and self.is_blocked(s):
                step, t, _ = self.busy[s]
                self.busy[s] = (step, t, True)
                self.schedule.append(('blocked', step.idx))
                self.fz.stats['lock_waits'] += 1
                return
            if time.time() - t0 > limit:
                return

    def wait_done(self, s, limit):
        t0 = time.time()
        while s in self.busy and time.time() - t0 < limit:
            for x in list(self.busy):
                self.poll(x)
            if s in self.busy:
                self.workers[s].done.wait(0.01)
        if s in self.busy:
            raise Failure('hang', 'hang', 'session %d did not finish step %d within %ds' % (
                s, self.busy[s][0].idx, limit))

    def drive_free(self):
        q = list(self.steps)
        while q:
            for s in list(self.busy):
                self.poll(s)
            chosen = None
            held = set()
            for j, step in enumerate(q):
                if step.session in held:
                    continue
                if step.session in self.busy:
                    held.add(step.session)
                    continue
                chosen = j
                break
            if chosen is None:
                # every session with work is waiting: let one finish
                t0 = time.time()
                while all(s in self.busy for s in set(x.session for x in q)):
                    for s in list(self.busy):
                        self.poll(s)
                    time.sleep(0.003)
                    if time.time() - t0 > 30:
                        raise Failure('hang', 'hang', 'no session progressed for 30 s')
                continue
            step = q.pop(chosen)
            self.dispatch(step)
            self.settle(step.session)

    def drive_replay(self):
        keep = dict((st.idx, st) for st in self.steps)
        for kind, idx in self.schedule_in:
            if idx not in keep:
                continue
            step = keep[idx]
            s = step.session
            if kind == 'send':
                if s in self.busy:
                    self.wait_done(s, 30)
                self.dispatch(step)
            elif kind == 'blocked':
                t0 = time.time()
                while s in self.busy and time.time() - t0 < 3:
                    if self.workers[s].done.wait(0.005):
                        break
                    if self.is_blocked(s):
                        self.schedule.append(('blocked', idx))
                        break
            else:
                if s in self.busy and self.busy[s][0].idx == idx:
                    self.wait_done(s, 30)
            for x in list(self.busy):
                self.poll(x)


class Worker(threading.Thread):
    def __init__(self, session):
        threading.Thread.__init__(self, daemon=True)
        self.session = session
        self.q = queue.Queue()
        self.done = threading.Event()
        self.done.set()
        self.result = None

    def submit(self, step, sql, data, ps):
        self.done.clear()
        self.q.put((step, sql, data, ps))

    def take(self):
        r = self.result
        self.result = None
        return r

    def stop(self):
        self.q.put(None)

    def run(self):
        while True:
            item = self.q.get()
            if item is None:
                return
            step, sql, data, ps = item
            try:
                self.result = self.session.run(step, sql, data, ps)
            except Exception as e:     # never leave the driver waiting
                o = Outcome()
                o.state, o.message, o.lost = None, 'worker error: %r' % e, True
                self.result = o
            self.done.set()


# ----------------------------------------------------------------------
# The fuzzer
# ----------------------------------------------------------------------
def new_stats():
    return {'steps': 0, 'statements': 0, 'skipped': 0, 'errors': collections.Counter(),
            'invariant_checks': 0, 'diff_checks': 0, 'checks_deferred': 0, 'lock_waits': 0,
            'episodes': 0, 'replays': 0, 'examples': {}, 't_check': 0.0, 't_db': 0.0}


class Fuzzer(object):
    def __init__(self, args):
        self.args = args
        self.stats = new_stats()
        self.cluster = Cluster(args.db_prefix, self.log)
        self.instances, self.caps, self.version = self.cluster.make_template()
        self.inv_sql = open(INVARIANTS_SQL).read()
        self.checker = None
        self.failures = []
        self.seen = set()

    def log(self, msg):
        sys.stdout.write(msg + '\n')
        sys.stdout.flush()

    def vlog(self, msg):
        if self.args.verbose:
            self.log(msg)

    def sessions_for(self, episode):
        lo, hi = self.args.sessions
        if lo == hi:
            return lo
        return random.Random('%s:%d:sessions' % (self.args.seed, episode)).randint(lo, hi)

    def episode_steps(self, episode, nsessions, nsteps):
        rng = random.Random('%s:%d:%d' % (self.args.seed, episode, nsessions))
        g = Gen(rng, self.instances, nsessions, self.caps, self.args.skip_ops)
        return g.generate(nsteps), g.profile

    def run_steps(self, steps, nsessions, schedule=None):
        """A run in a fresh database with a fresh checker."""
        run = Run(self, steps, nsessions, schedule)
        run.db = None
        t0 = time.time()
        db = self.cluster.fresh()
        self.stats['t_db'] += time.time() - t0
        run.db = db
        self.checker = Checker(db, self.inv_sql, self.stats)
        try:
            try:
                if nsessions == 1:
                    run.run_single()
                else:
                    run.run_concurrent()
            except Failure as f:
                run.failure = f
            except psycopg.OperationalError as e:
                what = self.cluster.restarted()
                run.failure = Failure('crash', 'crash', '%s (%s)' % (what or 'lost a connection', e))
        finally:
            self.checker.close()
        return run

    def main(self):
        a = self.args
        t_end = time.time() + a.minutes * 60 if a.minutes else None
        t0 = time.time()
        self.log('guard_fuzz: service_id %s, seed %s, sessions %s, budget %s steps%s, db prefix %s' % (
            self.version, a.seed, '%d' % a.sessions[0] if a.sessions[0] == a.sessions[1] else '%d-%d' % a.sessions,
            a.steps, ', %.1f min' % a.minutes if a.minutes else '', a.db_prefix))
        episodes = [a.episode] if a.episode is not None else None
        ep = a.episode if a.episode is not None else 0
        status = 0
        while True:
            if episodes is not None and ep not in episodes:
                break
            if episodes is None and (self.stats['steps'] >= a.steps or (t_end and time.time() > t_end)):
                break
            nsessions = self.sessions_for(ep)
            size = a.episode_steps
            n = random.Random('%s:%d:len' % (a.seed, ep)).randint(size // 2, size * 3 // 2)
            steps, profile = self.episode_steps(ep, nsessions, n)
            self.stats['episodes'] += 1
            run = self.run_steps(steps, nsessions)
            if run.failure:
                f = run.failure
                if not run.outcomes:
                    self.log('guard_fuzz: episode %d failed before its first step: %s' % (ep, f.describe()))
                    status = 2
                    break
                new = f.sig not in self.seen
                self.seen.add(f.sig)
                if new:
                    self.report(ep, nsessions, profile, steps, run)
                    status = 1
                else:
                    self.log('guard_fuzz: episode %d: %s (seen before)' % (ep, f.describe()))
                if not a.keep_going:
                    break
            else:
                self.vlog('episode %d (%s, %d sessions, %d steps) clean' % (ep, profile, nsessions, len(steps)))
            ep += 1
        self.elapsed = time.time() - t0
        self.summary(status)
        return status

    # -- failure reports ----------------------------------------------------
    def reproduces(self, steps, nsessions, sig, schedule, tries=1):
        main = self.stats
        for _ in range(tries):
            main['replays'] += 1
            self.stats = new_stats()
            try:
                run = self.run_steps(steps, nsessions, schedule)
            finally:
                self.stats = main
            if run.failure and run.failure.sig == sig:
                return run
        return None

    def minimize(self, steps, nsessions, sig, schedule, budget):
        """Delta debugging (ddmin, complement removal), replaying in fresh
        databases; returns (steps, run) of the smallest failing sequence."""
        t_end = time.time() + budget
        best = self.reproduces(steps, nsessions, sig, schedule, 2 if nsessions > 1 else 1)
        if best is None:
            return None, None
        tries = 1
        cur = list(steps)
        # everything after the failing step is irrelevant
        fail_at = best.failure.step.idx if best.failure.step is not None else None
        last_idx = max(i for i, o in best.outcomes.items()) if best.outcomes else None
        cut = fail_at if fail_at is not None and fail_at >= 0 else last_idx
        if cut is not None:
            cand = [st for st in cur if st.idx <= cut]
            if len(cand) < len(cur):
                r = self.reproduces(cand, nsessions, sig, schedule, tries)
                if r:
                    cur, best = cand, r
        # steps that failed or were skipped changed nothing, most likely:
        # try without all of them at once, then without those that only read
        fail_idx = best.failure.step.idx if best.failure.step is not None else None
        for drop in (lambda st, o: o is None or o.skipped or (o.state is not None and st.idx != fail_idx),
                     lambda st, o: st.ctl is None and not st.tags and st.op.startswith(('read.', 'api.check',
                                                                                         'api.is_valid',
                                                                                         'api.gen_', 'bad.'))
                     and st.idx != fail_idx):
            cand = [st for st in cur if not drop(st, best.outcomes.get(st.idx))]
            if 0 < len(cand) < len(cur) and time.time() < t_end:
                r = self.reproduces(cand, nsessions, sig, schedule, tries)
                if r:
                    cur, best = cand, r
        n = 2
        while len(cur) >= 2 and time.time() < t_end:
            chunk = max(1, len(cur) // n)
            removed = False
            for i in range(0, len(cur), chunk):
                if time.time() > t_end:
                    break
                cand = cur[:i] + cur[i + chunk:]
                if not cand:
                    continue
                r = self.reproduces(cand, nsessions, sig, schedule, tries)
                if r:
                    cur, best = cand, r
                    n = max(n - 1, 2)
                    removed = True
                    break
            if not removed:
                if chunk == 1:
                    break
                n = min(n * 2, len(cur))
        return cur, best

    def report(self, ep, nsessions, profile, steps, run):
        a = self.args
        f = run.failure
        mode = 'single-session' if nsessions == 1 else 'concurrent, %d sessions' % nsessions
        self.log('')
        self.log('=' * 78)
        self.log('guard_fuzz FAILURE: %s' % f.describe())
        self.log('  seed %s, episode %d (%s, profile %s, %d steps); service_id %s' % (
            a.seed, ep, mode, profile, len(steps), self.version))
        self.log('  replay: %s --seed %s --episode %d --sessions %d --episode-steps %d%s' % (
            os.path.relpath(os.path.abspath(__file__), TOP), a.seed, ep, nsessions, a.episode_steps,
            " --skip-ops '%s'" % a.skip_ops if a.skip_ops else ''))
        small, best = (None, None)
        if not a.no_minimize:
            small, best = self.minimize(steps, nsessions, f.sig, run.schedule if nsessions > 1 else None,
                                        a.minimize_seconds)
        if best is None:
            if not a.no_minimize:
                self.log('  (did not reproduce on replay: printing the whole run as it happened)')
            best, small = run, steps
        else:
            self.log('  shortest sequence found: %d of %d steps (%s)' % (len(small), len(steps),
                                                                        best.failure.describe()))
        self.failures.append((f, ep, nsessions, best))
        self.log('-- In a fresh database, as a superuser:')
        self.log('--   createdb sidfuzz_repro && psql -X -d sidfuzz_repro -f test/guard_fuzz/setup.sql')
        auto = any(st.autosave for st in small)
        if nsessions == 1:
            self.log('-- then paste into psql -X -d sidfuzz_repro:')
        else:
            self.log('-- then open %d psql sessions (psql -X -d sidfuzz_repro), paste the first lines into '
                     'each, and then each block into its session, in this order:' % nsessions)
        self.log('SET search_path = public, service_id;')
        if auto:
            self.log('\\set ON_ERROR_ROLLBACK on')
        self.log(self.repro_text(best, nsessions))
        self.log('=' * 78)

    def repro_text(self, run, nsessions):
        lines = []
        blocked = set(idx for k, idx in run.schedule if k == 'blocked')
        last_s = None
        for s, idx, ex, ps, note in [e for i in run.order for e in run.sent.get(i, [])]:
            if nsessions > 1 and s != last_s:
                lines.append('-- [session %d]' % (s + 1))
                last_s = s
            text = ps
            extra = []
            if nsessions > 1 and idx in blocked and not ps.startswith(('SET SESSION', 'RESET SESSION')):
                extra.append('waits for a lock')
            if note:
                extra.append(note)
            if extra:
                text += '   -- ' + '; '.join(extra)
            lines.append(text)
        return '\n'.join(lines)

    def summary(self, status):
        st = self.stats
        errs = ' '.join('%s:%d' % kv for kv in sorted(st['errors'].items())) or 'none'
        rate = st['steps'] / self.elapsed if self.elapsed else 0
        self.log('guard_fuzz summary: seed %s, sessions %s, %s; %d episodes, %d steps (%d skipped in failed '
                 'transactions), %d statements, %d invariant checks (%d deferred), %d differential checks, '
                 '%d lock waits, %d replays; %.1f s, %.0f steps/s; errors by SQLSTATE: %s; failures: %d' % (
                     self.args.seed, '%d-%d' % self.args.sessions, 'FAILED' if status else 'clean',
                     st['episodes'], st['steps'], st['skipped'], st['statements'], st['invariant_checks'],
                     st['checks_deferred'], st['diff_checks'], st['lock_waits'], st['replays'], self.elapsed,
                     rate, errs, len(self.failures)))
        if self.args.verbose:
            self.log('  time: %.1f s in invariant checks, %.1f s making databases' % (st['t_check'], st['t_db']))
            for k, v in sorted(st['examples'].items()):
                self.log('  %s e.g. %s' % (k, v))


def parse_sessions(s):
    m = re.match(r'^(\d+)(?:-(\d+))?$', s)
    if not m:
        raise argparse.ArgumentTypeError('sessions: N or N-M')
    lo = int(m.group(1))
    hi = int(m.group(2) or lo)
    if not (1 <= lo <= hi <= 8):
        raise argparse.ArgumentTypeError('sessions: 1 to 8')
    return (lo, hi)


def main(argv=None):
    p = argparse.ArgumentParser(description='service_id guard fuzzer (see the head of this file)')
    p.add_argument('--seed', default=None, help='random seed (default: from the clock, printed)')
    p.add_argument('--steps', type=int, default=None,
                   help='total steps to run (default 2000; unlimited when only --minutes is given)')
    p.add_argument('--sessions', type=parse_sessions, default=(1, 1),
                   help='1 = single-session; 2..4 or a range like 2-4 = concurrent')
    p.add_argument('--minutes', type=float, default=None, help='time budget, on top of --steps')
    p.add_argument('--db-prefix', default='sidfuzz', help='databases are named PREFIX_tmpl, PREFIX_0, PREFIX_1')
    p.add_argument('--episode-steps', type=int, default=150, help='mean steps per episode (default 150)')
    p.add_argument('--episode', type=int, default=None, help='run only this episode (a replay)')
    p.add_argument('--keep-going', action='store_true', help='go on after a failure; report each distinct one')
    p.add_argument('--no-minimize', action='store_true')
    p.add_argument('--minimize-seconds', type=float, default=240)
    p.add_argument('--skip-ops', default=None, help='do not generate ops whose name matches this regex')
    p.add_argument('--ignore', default=None,
                   help='a regex over "kind:key" (e.g. "message:" or "invariant:counter"): such failures '
                        'are not reported, so that the run looks past a known hole')
    p.add_argument('--keep-db', action='store_true', help='leave the databases behind')
    p.add_argument('--verbose', action='store_true')
    args = p.parse_args(argv)
    if args.seed is None:
        args.seed = str(int(time.time()) % 1000000)
    if args.steps is None:
        args.steps = 10 ** 12 if args.minutes else 2000
    try:
        fz = Fuzzer(args)
    except psycopg.Error as e:
        sys.stderr.write('guard_fuzz: cannot set up: %s\n' % e)
        return 2
    try:
        return fz.main()
    finally:
        if not args.keep_db:
            try:
                fz.cluster.reconnect(wait=30)
                fz.cluster.cleanup()
            except Exception:
                pass


if __name__ == '__main__':
    sys.exit(main())
