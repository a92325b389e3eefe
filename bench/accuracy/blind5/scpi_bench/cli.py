"""`python -m scpi_bench.cli sweep 0 5 0.25` writes a CSV of set/measured voltages."""
import argparse
import asyncio
import csv
import sys
import threading

import pyvisa

from .instruments import Multimeter, PowerSupply
from .runner import SweepRunner


def frange(start: float, stop: float, step: float) -> list[float]:
    count = int(round((stop - start) / step)) + 1
    return [round(start + i * step, 6) for i in range(count)]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("start", type=float)
    parser.add_argument("stop", type=float)
    parser.add_argument("step", type=float)
    parser.add_argument("--psu", default="GPIB0::5::INSTR")
    parser.add_argument("--dmm", default="GPIB0::22::INSTR")
    parser.add_argument("--out", default="sweep.csv")
    args = parser.parse_args(argv)

    rm = pyvisa.ResourceManager()
    psu, dmm = PowerSupply(rm, args.psu), Multimeter(rm, args.dmm)
    dmm.configure_dc()
    runner = SweepRunner(psu, dmm)
    stop = threading.Event()
    guard = threading.Thread(target=runner.watchdog, args=(stop, args.stop + 0.5), daemon=True)
    guard.start()
    rows = []
    try:
        for volts in frange(args.start, args.stop, args.step):
            rows.append(asyncio.run(runner.measure_point(volts)))  # bug: ADC505
    finally:
        stop.set()
        guard.join()
        psu.output_off()
        psu.close()
        dmm.close()
    with open(args.out, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["set", "measured", "error"])
        writer.writeheader()
        writer.writerows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
