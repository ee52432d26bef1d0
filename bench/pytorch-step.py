"""The PyTorch anchor for `lstmp bench`: the same training step in PyTorch.

A plain torch.nn.LSTM(proj_size) + nn.Linear trained by SGD on random data,
B = 4 streams x T = 20 frames per step, the state carried from chunk to
chunk and detached (truncated BPTT), summed cross entropy, one thread.
PyTorch's LSTM has no peepholes and no cell clipping: the anchor is what the
mainstream library does with the same shapes, not the same network bit for
bit.

    apt-get install python3-torch libopenblas0-pthread   # Debian 12: PyTorch 1.13.1
    OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 OMP_NUM_THREADS=1 \\
      /usr/bin/python3 bench/pytorch-step.py --config paper --seconds 20 --json

Debian's PyTorch calls whatever libblas.so.3 the system's alternatives
point to: without an optimised BLAS installed that is the reference BLAS,
about 4x slower on these shapes, and not the anchor. libopenblas0-pthread
takes the alternative over.

The *_NUM_THREADS variables keep the BLAS to one core: set_num_threads(1)
alone leaves OpenBLAS its own threads on the second core.
"""
import argparse
import json
import os
import time

for name in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS"):
    os.environ.setdefault(name, "1")

import warnings  # noqa: E402

import torch  # noqa: E402  (after the thread variables)

# "LSTM with projections is not supported with oneDNN": it runs its default implementation, the one measured.
warnings.filterwarnings("ignore", message="LSTM with projections")

CONFIGS = {
    # as `lstmp bench`'s BENCH_CONFIGS (src/cli/bench.ts)
    "paper": dict(inputs=40, cells=800, projection=512, layers=2, outputs=14247),
    "small": dict(inputs=40, cells=256, projection=128, layers=2, outputs=128),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--config", choices=CONFIGS, default="small")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    torch.set_num_threads(1)
    torch.manual_seed(1)
    c = CONFIGS[args.config]
    T, B = 20, 4
    lstm = torch.nn.LSTM(c["inputs"], c["cells"], num_layers=c["layers"], proj_size=c["projection"])
    output = torch.nn.Linear(c["projection"], c["outputs"])
    params = list(lstm.parameters()) + list(output.parameters())
    for p in params:
        torch.nn.init.uniform_(p, -0.02, 0.02)
    optimizer = torch.optim.SGD(params, lr=1e-5)
    loss_fn = torch.nn.CrossEntropyLoss(reduction="sum")
    x = torch.rand(T, B, c["inputs"]) * 2 - 1
    targets = torch.randint(0, c["outputs"], (T * B,))
    state = (torch.zeros(c["layers"], B, c["projection"]), torch.zeros(c["layers"], B, c["cells"]))

    def step(state):
        optimizer.zero_grad(set_to_none=False)
        y, (h, cell) = lstm(x, state)
        loss = loss_fn(output(y.reshape(T * B, -1)), targets)
        loss.backward()
        optimizer.step()
        return (h.detach(), cell.detach())

    end = time.perf_counter() + args.warmup
    while time.perf_counter() < end:
        state = step(state)
    steps = 0
    start, cpu = time.perf_counter(), time.process_time()
    while (elapsed := time.perf_counter() - start) < args.seconds:
        state = step(state)
        steps += 1
    cpu = time.process_time() - cpu
    fps = steps * T * B / elapsed
    # as `lstmp bench`'s cpuShare: the process's CPU time over the wall time (1 on a quiet core)
    line = {"config": args.config, "kernels": f"pytorch {torch.__version__}", "threads": 1, "framesPerSec": round(fps, 1), "msPerStep": round(1000 * elapsed / steps, 1), "cpuShare": round(cpu / elapsed, 2)}
    if args.json:
        print(json.dumps(line))
    else:
        print(f"{line['framesPerSec']} frames/s, {line['msPerStep']} ms per step ({line['kernels']}, one thread), {line['cpuShare']} of the core")


if __name__ == "__main__":
    main()
