"""Thin SCPI wrappers over pyvisa. Every call here blocks until the instrument answers."""
import pyvisa


class _Instrument:
    def __init__(self, rm: pyvisa.ResourceManager, address: str, timeout_ms: int = 5000) -> None:
        self.inst = rm.open_resource(address)
        self.inst.timeout = timeout_ms
        self.inst.read_termination = "\n"
        self.inst.write_termination = "\n"

    def idn(self) -> str:
        return self.inst.query("*IDN?").strip()

    def reset(self) -> None:
        self.inst.write("*RST")
        self.inst.query("*OPC?")

    def close(self) -> None:
        self.inst.close()


class PowerSupply(_Instrument):
    def set_voltage(self, volts: float, current_limit: float = 1.0) -> None:
        self.inst.write(f"VOLT {volts:.4f}")
        self.inst.write(f"CURR {current_limit:.3f}")
        self.inst.write("OUTP ON")
        self.inst.query("*OPC?")

    def output_off(self) -> None:
        self.inst.write("OUTP OFF")


class Multimeter(_Instrument):
    def configure_dc(self, nplc: float = 10) -> None:
        self.inst.write("CONF:VOLT:DC AUTO")
        self.inst.write(f"VOLT:DC:NPLC {nplc}")

    def read_voltage(self) -> float:
        return float(self.inst.query("READ?"))

    def read_average(self, samples: int) -> float:
        self.inst.write(f"SAMP:COUN {samples}")
        values = [float(v) for v in self.inst.query("READ?").split(",")]
        return sum(values) / len(values)
