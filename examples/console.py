#!/usr/bin/python3
"""The cloud console of one account, on top of the service_id extension.

It shows the account's two pages -- "ICP No. Application" (its instances,
with Apply or the reasons why not) and "ICP No. Management" (its numbers)
-- applies for numbers and files websites, through service_id's functions
only, as an application role given service_id.grant_usage().

Needs psycopg 3 (Debian: python3-psycopg, for /usr/bin/python3):

    ./console.py --account acct-alice instances
    ./console.py --account acct-alice apply i-web01 [--count 2] [--for acct-bob]
    ./console.py --account acct-alice numbers [--reveal]
    ./console.py --account acct-alice file www.example.cn 32a43232-a888-88e8-...

The connection string is --dsn, else $SERVICE_ID_DSN, else the libpq
environment (PGHOST, PGDATABASE, PGUSER, ...); the account is --account or
$SERVICE_ID_ACCOUNT.  Writes run in one transaction each, at --isolation
(read-committed by default), retried on 40001 and 40P01.  examples/setup.sql
makes a role and sample data; examples/test.sh runs the whole scenario.

Exit status: 0 done, 1 refused (the message says why), 2 bad usage,
3 database unreachable or an unexpected error.
"""
import argparse
import os
import random
import re
import sys
import time

import psycopg
from psycopg import errors
from psycopg.rows import namedtuple_row

# What the user reads for each SQLSTATE the API raises (SPEC section 6), and
# whether the server's own message helps (it names the instance, number or
# website concerned).  Its DETAIL and HINT, when it sends them, follow.
MESSAGES = {
    "22P02": ("That is not a valid service identification number: check it for typing mistakes.", False),
    "22023": ("Some of what you entered is not valid.", True),
    "P0002": ("We could not find that.", True),
    "42501": ("Your account is not allowed to do this.", True),
    "55000": ("This cannot be done in its current state.", True),
    "53400": ("There are no numbers left on this instance.", True),
    "23505": ("This is already taken.", True),
    "40001": ("The service is busy. Please try again in a moment.", False),
    "40P01": ("The service is busy. Please try again in a moment.", False),
    "25006": ("The console is read-only for maintenance. Please try again later.", False),
}
UNEXPECTED = "Something went wrong on our side. Please try again later."

# The reason codes of account_instances() (SPEC section 4), as the user
# would say them, with what to do about it.
REASONS = {
    "product_not_supported": "This product cannot have service identification numbers.",
    "trial": "It is a free trial: buy a subscription.",
    "not_subscription": "It is billed pay-as-you-go: switch it to a subscription.",
    "subscription_too_short": "Its subscription is too short in total: renew it (renewals count).",
    "remaining_too_short": "It expires too soon: renew it.",
    "expired": "It has expired: renew it.",
    "released": "It has been released.",
    "not_running": "It is not running: start it.",
    "no_public_ip": "It has no public IP address: buy public bandwidth for it.",
    "region_not_mainland": "It is outside mainland China, where ICP filing applies.",
    "not_owner": "Another account purchased it: ask that account for a number.",
    "allowance_used_up": "All its numbers are taken: revoke an unused one to free a slot.",
}

RETRYABLE = (errors.SerializationFailure, errors.DeadlockDetected)  # 40001, 40P01


def explain(exc):
    """Turn a database error into lines for the user."""
    sentence, show_message = MESSAGES.get(exc.sqlstate, (UNEXPECTED, False))
    lines = [sentence]
    if exc.sqlstate not in MESSAGES:
        # not one the API documents: the operator needs it, the user does not
        print(f"[{exc.sqlstate}] {exc.diag.message_primary}", file=sys.stderr)
        return lines
    if show_message and exc.diag.message_primary:
        message = exc.diag.message_primary
        lines.append(message[0].upper() + message[1:] + ".")
    for extra in (exc.diag.message_detail, exc.diag.message_hint):
        if extra:
            lines.append(extra)
    return lines


def in_transaction(conn, work, attempts):
    """Run work(cursor) in one transaction; retry the whole of it when the
    server asks to (serialization failure, deadlock), after a short random
    pause that doubles each time."""
    for attempt in range(1, attempts + 1):
        try:
            with conn.transaction(), conn.cursor() as cur:
                return work(cur)
        except RETRYABLE as exc:
            if attempt == attempts:
                raise
            pause = random.uniform(0.5, 1.0) * 0.05 * 2 ** attempt
            print(f"(busy [{exc.sqlstate}], trying again in {pause * 1000:.0f} ms:"
                  f" attempt {attempt + 1} of {attempts})", file=sys.stderr)
            time.sleep(pause)


def mask(number, reveal=False):
    """Show only the last four hex digits of a number, as the console does."""
    return number if reveal else re.sub("[0-9a-fA-F]", "*", number[:-4]) + number[-4:]


def show_instances(conn, args):
    cur = conn.cursor(row_factory=namedtuple_row)
    cur.execute(
        """SELECT a.instance_id, a.product, a.region, a.eligible, a.reasons,
                  a.allowance, a.remaining, p.hint
             FROM service_id.account_instances(%s) AS a
             LEFT JOIN service_id.product AS p USING (product)
            ORDER BY a.instance_id""",
        (args.account,))
    print(f"ICP No. Application: account {args.account}")
    rows = cur.fetchall()
    if not rows:
        print("  (no instances)")
    for r in rows:
        left = f"{r.remaining} of {r.allowance} left" if r.allowance else "-"
        verdict = "[Apply]" if r.eligible else "not available:"
        print(f"  {r.instance_id:<10} {r.product:<26} {r.region:<14} {left:<12} {verdict}")
        for code in r.reasons:
            print(f"      - {REASONS.get(code, code)}")
        if not r.eligible and r.hint:
            print(f"      - {r.hint}")


def apply(conn, args):
    def work(cur):
        if args.count == 1:
            cur.execute("SELECT service_id.apply_service_id(%s, %s, %s)",
                        (args.instance, args.account, args.grantee))
        else:
            cur.execute("SELECT * FROM service_id.apply_service_ids(%s, %s, %s, %s)",
                        (args.instance, args.account, args.count, args.grantee))
        return [number for (number,) in cur]

    for number in in_transaction(conn, work, args.attempts):
        print(f"New service identification number for {args.instance}: {number}")
    if args.grantee:
        print(f"Only account {args.grantee} may file with it.")


def show_numbers(conn, args):
    cur = conn.cursor(row_factory=namedtuple_row)
    cur.execute("SELECT * FROM service_id.account_numbers(%s)", (args.account,))
    print(f"ICP No. Management: account {args.account}")
    rows = cur.fetchall()
    if not rows:
        print("  (no numbers)")
    for r in rows:
        origin = f"granted by {r.applicant}" if r.applicant != args.account else \
            f"for {r.grantee}" if r.grantee else ""
        filing = f"{r.website} (filing {r.filing_id}, {r.filing_status})" if r.filing_id else ""
        print(f"  {mask(r.number, args.reveal)}  {r.instance_id:<10} {r.state:<8}"
              f" {r.applied_at:%Y-%m-%d}  {origin:<20} {filing}".rstrip())


def file_website(conn, args):
    def work(cur):
        # The cast: drivers that send strings typed as text (not psycopg's
        # default) would find no register_filing(text, text, text).
        cur.execute("SELECT service_id.register_filing(%s, %s, %s::service_id.service_id)",
                    (args.account, args.website, args.number))
        return cur.fetchone()[0]

    filing_id = in_transaction(conn, work, args.attempts)
    print(f"Filed {args.website} with number {mask(args.number)}: filing {filing_id}.")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", default=os.environ.get("SERVICE_ID_DSN", ""),
                        help="libpq connection string (default: $SERVICE_ID_DSN)")
    parser.add_argument("--account", default=os.environ.get("SERVICE_ID_ACCOUNT"),
                        required="SERVICE_ID_ACCOUNT" not in os.environ)
    parser.add_argument("--isolation", default="read-committed",
                        choices=["read-committed", "repeatable-read", "serializable"])
    parser.add_argument("--attempts", type=int, default=5,
                        help="tries of a write before giving up (default 5)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("instances", help="the account's instances: Apply, or why not")
    p = sub.add_parser("apply", help="apply for numbers for an instance")
    p.add_argument("instance")
    p.add_argument("--count", type=int, default=1, help="how many (1-20), all or none")
    p.add_argument("--for", dest="grantee", help="the only account that may use them")
    p = sub.add_parser("numbers", help="the account's numbers")
    p.add_argument("--reveal", action="store_true", help="show numbers in full")
    p = sub.add_parser("file", help="file a website with a number")
    p.add_argument("website")
    p.add_argument("number")
    args = parser.parse_args()

    try:
        conn = psycopg.connect(args.dsn, autocommit=True,
                               application_name="service_id-console")
    except psycopg.OperationalError as exc:
        print(f"Cannot reach the database: {exc}", file=sys.stderr)
        return 3
    conn.isolation_level = psycopg.IsolationLevel[args.isolation.upper().replace("-", "_")]
    command = {"instances": show_instances, "apply": apply,
               "numbers": show_numbers, "file": file_website}[args.command]
    with conn:
        try:
            command(conn, args)
        except psycopg.Error as exc:
            if exc.sqlstate is None:  # the connection broke
                print(f"Lost the database: {exc}", file=sys.stderr)
                return 3
            print("\n  ".join(explain(exc)), file=sys.stderr)
            return 1 if exc.sqlstate in MESSAGES else 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
