"""Throughput of the marketplace queue: lines per second through the cron path.

Enqueues ``--lines`` lines whose operation is a no-op, then processes them the way Odoo's
cron worker does: one cursor per cron run, each run one call of
``marketplace.queue.line._cron_process_queue(batch_size)`` with its ``ir.cron.progress`` record
and the queue's own commits (a run that leaves lines triggers itself), and further runs until
no line is left. It prints lines per second and the ratio to calling the same no-op
handler ``--lines`` times directly, i.e. what the queue costs per line (claims, savepoints,
state writes, commits). It prints figures; it is not a test.

The database must have base_marketplace installed, and no other due queue line (they would
be processed too), e.g.::

    python3 -m odoo -d bench_queue -i base_marketplace --without-demo=all --stop-after-init \\
        --addons-path=/path/to/odoo/addons,/path/to/odoo/odoo/addons,/path/to/this/repo
    python3 bench/bench_queue.py --database bench_queue [--lines 5000] [--batch-size 50]

The lines, job and instance the benchmark creates are deleted at the end (``--keep`` keeps them).
"""
import argparse
import os
import sys
import time
from unittest.mock import patch

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OPERATION = "bench_noop"


def noop(line, payload):
    """The operation's work: nothing. Returns no record, like a handler that only updates."""
    return None


def default_addons_path():
    import odoo
    odoo_root = os.path.dirname(os.path.dirname(os.path.abspath(odoo.__file__)))
    paths = [os.path.join(odoo_root, "odoo", "addons"), os.path.join(odoo_root, "addons")]
    return ",".join([path for path in paths if os.path.isdir(path)] + [ROOT])


def run(registry, args, instance_id):
    from odoo import SUPERUSER_ID, api

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        instance = env["marketplace.instance"].browse(instance_id)
        started = time.perf_counter()
        job, queued = env["marketplace.queue.line"]._enqueue(instance, OPERATION, [
            {"external_id": str(n), "name": f"No-op {n}", "payload": {"n": n}} for n in range(args.lines)
        ], job_name="Queue benchmark")
        env.flush_all()
        cr.commit()
        enqueue_seconds = time.perf_counter() - started
        job_id = job.id
        assert len(queued) == args.lines, f"{len(queued)} lines queued, expected {args.lines}"

    # The cron path: each run processes lines until its batch size or time budget, and when
    # lines are left triggers itself, so Odoo's cron worker runs it again.
    processed = runs = 0
    started = time.perf_counter()
    while True:
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cron = env.ref("base_marketplace.ir_cron_process_queue")
            cron, _progress = cron._add_progress()
            cr.commit()
            done = env["marketplace.queue.line"].with_context(cron.env.context)._cron_process_queue(
                batch_size=args.batch_size)
            env.flush_all()
            cr.commit()
        runs += 1
        processed += len(done)
        if not done:
            break
    queue_seconds = time.perf_counter() - started

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        states = dict(env["marketplace.queue.line"]._read_group([("job_id", "=", job_id)], ["state"], ["__count"]))
        if states != {"done": args.lines} or processed != args.lines:
            sys.exit(f"the queue did not process exactly the benchmark's lines: {states}, {processed} processed")

        # The same no-op handler called directly, as a loop without the queue would.
        handler = env["marketplace.queue.line"]._process_bench_noop
        payloads = [{"n": n} for n in range(args.lines)]
        started = time.perf_counter()
        for payload in payloads:
            handler(payload)
        direct_seconds = time.perf_counter() - started
    return enqueue_seconds, processed, queue_seconds, runs, direct_seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", "-d", required=True, help="a database with base_marketplace installed")
    parser.add_argument("--lines", type=int, default=5000)
    parser.add_argument("--batch-size", type=int, default=50, help="the cron's batch_size (50 in production)")
    parser.add_argument("--addons-path", default=None, help="default: Odoo's own addons and this repository")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark's instance, job and lines")
    args = parser.parse_args()

    import odoo
    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry
    from odoo.tools import config

    config.parse_config([
        "--database", args.database,
        "--addons-path", args.addons_path or default_addons_path(),
        "--log-level", "warn",
        "--max-cron-threads", "0",
    ])
    registry = Registry.new(args.database)
    Line = registry["marketplace.queue.line"]  # the class every env["marketplace.queue.line"] is made of

    with registry.cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        lines = env["marketplace.queue.line"]
        if lines.search_count(lines._due_domain()):
            sys.exit(f"{args.database} already has due queue lines; the cron path would process them too. "
                     "Use a database of its own for the benchmark.")
        instance = env["marketplace.instance"].create({"name": f"Bench queue {time.strftime('%Y-%m-%d %H:%M:%S')}"})
        first_progress_id = env["ir.cron.progress"].search([], order="id desc", limit=1).id or 0
        cr.commit()
        instance_id = instance.id

    try:
        with patch.object(Line, f"_process_{OPERATION}", noop, create=True):
            figures = run(registry, args, instance_id)
    finally:
        if not args.keep:
            with registry.cursor() as cr:
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["marketplace.instance"].browse(instance_id).unlink()  # cascades to job, lines, logs
                env["ir.cron.progress"].search([("id", ">", first_progress_id)]).unlink()
    enqueue_seconds, processed, queue_seconds, runs, direct_seconds = figures

    queue_rate = processed / queue_seconds
    direct_rate = args.lines / direct_seconds
    print(f"database {args.database}, Odoo {odoo.release.version}, {os.cpu_count()} CPUs, "
          f"{args.lines} no-op lines, batch size {args.batch_size}")
    print(f"enqueue:       {args.lines} lines in {enqueue_seconds:.2f} s ({args.lines / enqueue_seconds:,.0f} lines/s)")
    print(f"cron path:     {processed} lines in {queue_seconds:.2f} s = {queue_rate:,.0f} lines/s "
          f"({runs} cron runs, {1000 * queue_seconds / processed:.2f} ms per line)")
    print(f"direct loop:   {args.lines} calls in {direct_seconds * 1000:.2f} ms = {direct_rate:,.0f} calls/s")
    print(f"ratio:         the direct loop is {direct_rate / queue_rate:,.0f} times faster; "
          f"the queue costs {1000 * (queue_seconds - direct_seconds) / processed:.2f} ms per line")


if __name__ == "__main__":
    main()
