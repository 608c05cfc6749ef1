"""Python reference of the TypeScript sampler (docs/lcm-contract.md), used for the parity fixtures.

It runs the same algorithm — mulberry32 + Box-Muller noise, trailing grid, DDIM with CFG on epsilon,
guidance rescale, epsilon scaling, last x0 denormalized, stop rules — over the torch modules whose
weights the ONNX graphs hold, and writes the prompt, the options and the expected concepts to JSON.
The checkpoint's kind picks the family: a Two-Tower (test/fixtures/lcm-parity) or a One-Tower
(test/fixtures/lcm-one-tower-parity), whose reference runs the whole tower over [prompt; noisy copy] at
every step, not the runtime's cached prefix, or a Quant-LCM (test/fixtures/lcm-quant-parity): one unit
per codebook drawn from the guided logits with temperature, top-k and top-p (sample_unit, the contract's
"Quant-LCM" section), the whole tower over [prompt; running sum] per codebook.

  python3 -m lcm.reference_sampler --checkpoint runs/lcm-smoke/checkpoint.pt --specials DATA/specials.f32 \
      --prompt-from DATA --out ../test/fixtures/lcm-parity/parity.json [--seeds 7,11,23]
"""
import argparse
import json
import math
from pathlib import Path

import numpy as np
import torch

from common import set_torch_threads
from lcm.model import OneTowerLCM, QuantLCM, load_checkpoint, zero_snr_alphas_cumprod
from lcm.sampling import DEFAULTS, ddim_cfg, trailing_grid


class Mulberry32:
    def __init__(self, seed):
        self.a = seed & 0xFFFFFFFF
        self.spare = None

    def uniform(self):
        self.a = (self.a + 0x6D2B79F5) & 0xFFFFFFFF
        t = self.a
        t = ((t ^ (t >> 15)) * (t | 1)) & 0xFFFFFFFF
        t ^= (t + (((t ^ (t >> 7)) * (t | 61)) & 0xFFFFFFFF)) & 0xFFFFFFFF
        return ((t ^ (t >> 14)) & 0xFFFFFFFF) / 4294967296.0

    def gaussian(self):
        if self.spare is not None:
            z, self.spare = self.spare, None
            return z
        u1, u2 = self.uniform(), self.uniform()
        r = math.sqrt(-2.0 * math.log(1.0 - u1))
        self.spare = r * math.sin(2 * math.pi * u2)
        return r * math.cos(2 * math.pi * u2)


@torch.no_grad()
def sample_next(model, prompt_norm, alphas, rng, opts):
    """One concept after prompt_norm [N, D] (normalized), in float64 between the denoiser's float32
    calls: the noise from rng (as the runtime draws it), the conditional and unconditional predictions
    as two batch-1 calls (as the runtime's full denoiser graph is called)."""
    D = prompt_norm.shape[1]
    ctx = model.contextualize(torch.from_numpy(prompt_norm)[None].double().float())
    n = ctx.shape[1]
    cond = torch.ones(1, 1, n, dtype=torch.bool)
    uncond = torch.zeros(1, 1, n, dtype=torch.bool)
    x = torch.tensor([rng.gaussian() for _ in range(D)], dtype=torch.float64) * opts["initial_noise"]
    # the One-Tower's noisy copy stands for concept n, the one after the prompt
    where = {"positions": torch.tensor([n])} if isinstance(model, OneTowerLCM) else {}

    def D_(z, t, mask):
        return model.denoise(z.float()[None, None], torch.tensor([[t]]), ctx, mask, **where)[0, 0].double()

    def predict(z, t, guided):
        return (D_(z, t, cond), D_(z, t, uncond)) if guided else D_(z, t, cond)

    # the schedule as Python floats: float64 arithmetic, like the runtime's
    x0 = ddim_cfg(predict, x, [float(a) for a in alphas], opts["steps"], opts["guidance"],
                  opts["guidance_rescale"], opts["epsilon_scaling"])
    return x0.float().numpy()


def sample_unit(logits, rng, temperature, top_k, top_p):
    """One unit from float64 logits (a list): exactly one uniform drawn, always. Temperature 0: the most
    likely unit (the lowest index among equals). Otherwise the units in order of decreasing logit (ties:
    lower index first), the first top_k of them (0: all), weights exp((l - l_max) / temperature) summed
    in that order; top_p < 1 keeps the shortest prefix whose sum reaches top_p times the whole; the unit
    is the first whose running sum exceeds u times the kept sum (the last kept if none does)."""
    u = rng.uniform()
    order = sorted(range(len(logits)), key=lambda i: (-logits[i], i))
    if temperature == 0:
        return order[0]
    if top_k > 0:
        order = order[:top_k]
    top = logits[order[0]]
    cum, total = [], 0.0
    for i in order:
        total += math.exp((logits[i] - top) / temperature)
        cum.append(total)
    n = len(order)
    if top_p < 1:
        n = next((j + 1 for j, c in enumerate(cum) if c >= top_p * total), len(order))
    target = u * cum[n - 1]
    return next((order[j] for j in range(n) if target < cum[j]), order[n - 1])


@torch.no_grad()
def sample_quant(model, prompt_norm, rng, opts):
    """One concept (normalized) and its units after prompt_norm [N, D]: codebook by codebook, the
    conditional and (guidance != 1) unconditional logits as two batch-1 calls of the whole tower, mixed
    in float64 (u + g (c - u)), a unit drawn, its centroid added to the running sum (float64)."""
    clean = torch.from_numpy(prompt_norm)[None].float()
    n = clean.shape[1]
    cond = torch.ones(1, 1, n, dtype=torch.bool)
    uncond = torch.zeros(1, 1, n, dtype=torch.bool)
    books = model.codebooks.double()
    partial = torch.zeros(prompt_norm.shape[1], dtype=torch.float64)
    units = []
    for k in range(model.cfg.codebooks):
        def L(mask):
            return model.logits(partial.float()[None, None], torch.tensor([[k]]), clean, mask,
                                torch.tensor([n]))[0, 0].double()

        c = L(cond)
        g = opts["guidance"]
        logits = c if g == 1.0 else (lambda u: u + g * (c - u))(L(uncond))
        unit = sample_unit(logits.tolist(), rng, opts["temperature"], opts["top_k"], opts["top_p"])
        units.append(unit)
        partial = partial + books[k, unit]
    return partial.float().numpy(), units


def cosine(a, b):
    return float(np.dot(a, b) / (np.linalg.norm(a) * np.linalg.norm(b) + 1e-12))


def generate(model, center, scale, prompt_raw, specials, alphas, opts, units=None):
    """The generation loop; a Quant-LCM's units of every sampled concept are appended to `units`."""
    rng = Mulberry32(opts["seed"])
    seq = [p for p in prompt_raw]
    out, stop = [], "length"
    for _ in range(opts["max_concepts"]):
        if isinstance(model, QuantLCM):
            y_norm, chosen = sample_quant(model, (np.stack(seq) - center) / scale, rng, opts)
            units.append(chosen)
        else:
            y_norm = sample_next(model, (np.stack(seq) - center) / scale, alphas, rng, opts)
        y = y_norm * scale + center
        if cosine(y, specials["eot"]) >= opts["eot_threshold"]:
            stop = "end_of_text"
            break
        if out and cosine(y, out[-1]) >= opts["repeat_threshold"]:
            stop = "repetition"
            break
        out.append(y)
        seq.append(y)
    return out, stop


# The Quant-LCM's parity cases: plain sampling, guidance with temperature and top-p, guidance with top-k,
# greedy (temperature 0) with guidance.
QUANT_CASES = (
    {"guidance": 1.0, "temperature": 1.0, "top_k": 0, "top_p": 1.0},
    {"guidance": 2.0, "temperature": 0.8, "top_k": 0, "top_p": 0.9},
    {"guidance": 1.5, "temperature": 1.2, "top_k": 5, "top_p": 1.0},
    {"guidance": 3.0, "temperature": 0.0, "top_k": 0, "top_p": 1.0},
)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--specials", required=True)
    ap.add_argument("--prompt-from", required=True, help="encode_docs output folder; the first record's document")
    ap.add_argument("--out", required=True)
    ap.add_argument("--seeds", default="7", help="comma-separated; every seed runs every option set")
    ap.add_argument("--repeat-threshold", type=float, default=0.9,
                    help="higher lets more concepts through (a tiny model repeats itself at once)")
    ap.add_argument("--eot-threshold", type=float, default=0.9,
                    help="higher lets more concepts through (an anisotropic codec's cosines all sit near 1)")
    args = ap.parse_args()
    set_torch_threads()
    seeds = [int(v) for v in args.seeds.split(",")]
    model, cfg, ck = load_checkpoint(args.checkpoint)
    center = np.array(ck["normalizer"]["center"], np.float32)
    scale = np.array(ck["normalizer"]["scale"], np.float32)
    sp = np.fromfile(args.specials, dtype=np.float32).reshape(-1, cfg.concept_dim)
    specials = {"eot": sp[0], "model": sp[1]}
    folder = Path(args.prompt_from)
    name = sorted(p.stem for p in folder.glob("*.jsonl"))[0]
    vecs = np.fromfile(folder / f"{name}.f32", dtype=np.float32).reshape(-1, cfg.concept_dim)
    rec = json.loads((folder / f"{name}.jsonl").read_text().splitlines()[0])
    s, c = rec["parts"]["document"]
    prompt = np.concatenate([vecs[s: s + min(c, 6)], specials["model"][None]])
    alphas = zero_snr_alphas_cumprod(cfg.train_steps)
    cases = []
    quant = isinstance(model, QuantLCM)
    option_sets = QUANT_CASES if quant else (
        DEFAULTS,
        {"steps": 10, "guidance": 1.0, "guidance_rescale": 0.0, "initial_noise": 1.0, "epsilon_scaling": 1.0},
    )
    for seed in seeds:
        for opts in option_sets:
            opts = {**opts, "seed": seed, "max_concepts": 3, "eot_threshold": args.eot_threshold,
                    "repeat_threshold": args.repeat_threshold}
            units = []
            out, stop = generate(model, center, scale, list(prompt), specials, alphas, opts, units)
            case = {"options": opts, "expected": [v.tolist() for v in out], "stop": stop}
            if quant:
                case["units"] = units  # of every sampled concept, the stopped one included
            cases.append(case)
    rng = Mulberry32(seeds[0])
    fixture = {
        "about": ("Expected outputs of training/lcm/reference_sampler.py (docs/lcm-contract.md) "
                  "for the LCM in this folder"),
        "family": ck.get("kind", "two_tower"),
        "prompt": prompt.tolist(),
        "specials": {"end_of_text": specials["eot"].tolist(), "model_turn": specials["model"].tolist()},
        "rng_first_gaussians": [rng.gaussian() for _ in range(6)],
        "grid_T100_S40": trailing_grid(100, 40),
        "cases": cases,
    }
    Path(args.out).write_text(json.dumps(fixture))
    print(json.dumps({"cases": [{"n": len(c["expected"]), "stop": c["stop"]} for c in cases]}))


if __name__ == "__main__":
    main()
