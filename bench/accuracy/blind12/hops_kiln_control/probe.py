"""The handheld-turned-fixed moisture probe in each kiln's hop bed.

It answers a "M?" query on its RS-232 line with the bed moisture in
percent. A reading takes about two seconds because the probe averages
forty samples.
"""
import serial


def read_moisture(port: str) -> float:
    with serial.Serial(port, 9600, timeout=5) as line:
        line.write(b"M?\r\n")
        answer = line.readline().decode("ascii", errors="replace").strip()
    if not answer.startswith("M="):
        raise ValueError(f"unexpected probe answer {answer!r}")
    return float(answer[2:])
