# ruff: noqa: E402, E701, E731  (imports are timed: they come after the clock starts)
"""One cold gaps call in this process: phases timed (wall and CPU), optional cProfile."""
import os
import sys
import time

t0w, t0c = time.perf_counter(), time.process_time()
import cProfile
import json
import pstats

prof = "--prof" in sys.argv
region = next((a.split("=",1)[1] for a in sys.argv if a.startswith("--region=")), "cn/guangdong/shenzhen")
data = next((a.split("=",1)[1] for a in sys.argv if a.startswith("--data=")), "/tmp/i21gaps-1m")
pr = cProfile.Profile() if prof else None
if pr: pr.enable()
from graph.settings import Settings
from graph.store import open_store
from matching.engines import Engines

t1w, t1c = time.perf_counter(), time.process_time()
s = Settings(_env_file=None, data_dir=data)
with open_store(s) as store:
    eng = Engines(s)
    t2w, t2c = time.perf_counter(), time.process_time()
    out = eng.analyse(store, lambda a: a.gaps(region, None, top=20))
    t3w, t3c = time.perf_counter(), time.process_time()
if pr:
    pr.disable()
    pstats.Stats(pr).sort_stats("cumulative").print_stats(45)
r = lambda x: round(x * 1000)
print(json.dumps({"import_ms": r(t1w-t0w), "import_cpu_ms": r(t1c-t0c), "open_ms": r(t2w-t1w),
    "gaps_ms": r(t3w-t2w), "gaps_cpu_ms": r(t3c-t2c), "total_ms": r(t3w-t0w), "total_cpu_ms": r(t3c-t0c),
    "cached": out.meta.cached, "gaps_total": out.gaps_total, "status": out.status_counts, "load": os.getloadavg()[0],
    "top": [(g.segment, round(g.severity, 6)) for g in out.gaps[:5]]}))
