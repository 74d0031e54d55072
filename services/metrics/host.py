"""Host-wide readings with psutil: CPU per core and total, memory, swap, disk per mount, load, network rate.

Rates (CPU %, network bytes/s) need two readings; ``HostSampler.prime`` takes the first so the next
``sample`` is meaningful (psutil's own cpu_percent returns 0.0 on its first call).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import psutil


@dataclass(frozen=True)
class DiskReading:
    mount: str
    total_bytes: int
    used_bytes: int
    percent: float


@dataclass(frozen=True)
class HostReading:
    cpu_percent: float
    cpu_per_core: tuple[float, ...]
    mem_total_bytes: int
    mem_used_bytes: int
    mem_percent: float
    swap_total_bytes: int
    swap_used_bytes: int
    swap_percent: float
    load1: float
    load5: float
    load15: float
    net_recv_bytes_per_s: float
    net_sent_bytes_per_s: float
    disks: tuple[DiskReading, ...] = field(default_factory=tuple)


class HostSampler:
    def __init__(self, mounts: list[str] | tuple[str, ...] = ("/",)) -> None:
        self.mounts = tuple(mounts)
        self._net: tuple[float, int, int] | None = None
        self.primed = False

    def prime(self) -> None:
        psutil.cpu_percent(percpu=True)
        psutil.cpu_percent()
        self._read_net()
        self.primed = True

    def _read_net(self) -> tuple[float, float]:
        counters = psutil.net_io_counters()
        now = time.monotonic()
        recv, sent = (counters.bytes_recv, counters.bytes_sent) if counters else (0, 0)
        rates = (0.0, 0.0)
        if self._net is not None:
            last_at, last_recv, last_sent = self._net
            elapsed = now - last_at
            if elapsed > 0:
                # Counters can wrap or reset (interface re-created): never report a negative rate.
                rates = (max(0, recv - last_recv) / elapsed, max(0, sent - last_sent) / elapsed)
        self._net = (now, recv, sent)
        return rates

    def sample(self) -> HostReading:
        if not self.primed:
            self.prime()
        per_core = tuple(psutil.cpu_percent(percpu=True))
        total = psutil.cpu_percent()
        mem = psutil.virtual_memory()
        swap = psutil.swap_memory()
        load1, load5, load15 = psutil.getloadavg()
        recv_rate, sent_rate = self._read_net()
        disks = []
        for mount in self.mounts:
            try:
                usage = psutil.disk_usage(mount)
            except OSError:
                continue  # a mount that is not there (yet) is not an error of the sampler
            disks.append(DiskReading(mount, usage.total, usage.used, usage.percent))
        return HostReading(
            cpu_percent=total, cpu_per_core=per_core,
            mem_total_bytes=mem.total, mem_used_bytes=mem.total - mem.available, mem_percent=mem.percent,
            swap_total_bytes=swap.total, swap_used_bytes=swap.used, swap_percent=swap.percent,
            load1=load1, load5=load5, load15=load15,
            net_recv_bytes_per_s=recv_rate, net_sent_bytes_per_s=sent_rate, disks=tuple(disks),
        )
