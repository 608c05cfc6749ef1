"""The Two-Tower LCM's sampler, DDIM with classifier-free guidance (docs/lcm-contract.md), written once
for every Python user: lcm.train's held-out evaluation (teacher-forced, every position of a batch at
once), lcm.reference_sampler (one concept at a time: the parity fixture for the TypeScript runtime)
and lcm.export_onnx (the defaults it writes into the manifest for the runtime).

The update rule is here; what differs between the users is passed in: where the starting noise comes
from, how the denoiser is called (conditional and unconditional predictions in one batch or one after
the other) and the arithmetic of the schedule's scalars (0-d tensors of the model's dtype, or Python
floats for the float64 reference), so each keeps its exact numbers.
"""
import math

import numpy as np
import torch

# The runtime's defaults (the manifest's "defaults"): the paper's inference settings.
DEFAULTS = {"steps": 40, "guidance": 3.0, "guidance_rescale": 0.7, "initial_noise": 0.6, "epsilon_scaling": 1.00045}


def trailing_grid(T, steps):
    """The timesteps a run of `steps` visits, from T-1 down ("trailing" spacing: the runtime's
    src/lcm/schedule.ts trailingTimesteps, pinned by the parity fixture)."""
    return [int(v) - 1 for v in np.round(T - np.arange(steps) * (T / steps))]


def _sqrt(v):
    # Python floats (the reference sampler's float64 arithmetic) or 0-d tensors on the model's device
    return math.sqrt(v) if isinstance(v, float) else v.sqrt()


def ddim_cfg(predict, z, alphas, steps, guidance, guidance_rescale, epsilon_scaling):
    """DDIM from the noise z to the last x0 prediction, over trailing_grid(len(alphas), steps).

    predict(z, t, guided) is the denoiser at integer timestep t: x0 (shaped like z) when guided is
    False, else the pair (x0 with the context, x0 with only the zero row). alphas: the cumulative
    schedule, indexable by t (a tensor, or a list of floats for float64 arithmetic).
    The first step (t = T-1: zero SNR, the noise carries nothing) and guidance 1 use the conditional
    prediction alone. Otherwise the two epsilons are mixed, e = eu + g (ec - eu), and e's scale is
    pulled toward ec's (standard deviation over the last axis) by guidance_rescale. Epsilon is divided
    by epsilon_scaling before it forms the next, less noisy z.
    """
    T = len(alphas)
    grid = trailing_grid(T, steps)
    x0 = z
    for k, t in enumerate(grid):
        a = alphas[t]
        ap = alphas[grid[k + 1]] if k + 1 < len(grid) else 1.0
        if t == T - 1 or guidance == 1.0:
            x0 = predict(z, t, False)
            eps = (z - _sqrt(a) * x0) / _sqrt(1 - a)
        else:
            x0c, x0u = predict(z, t, True)
            ec = (z - _sqrt(a) * x0c) / _sqrt(1 - a)
            eu = (z - _sqrt(a) * x0u) / _sqrt(1 - a)
            e = eu + guidance * (ec - eu)
            if guidance_rescale > 0:
                r = guidance_rescale
                e = e * (r * ec.std(-1, keepdim=True) / e.std(-1, keepdim=True) + (1 - r))
            x0 = (z - _sqrt(1 - a) * e) / _sqrt(a)
            eps = e
        eps = eps / epsilon_scaling
        z = _sqrt(ap) * x0 + _sqrt(1 - ap) * eps
    return x0


@torch.no_grad()
def sample_all_positions(model, x, alphas, seed=0, steps=DEFAULTS["steps"], guidance=DEFAULTS["guidance"],
                         guidance_rescale=DEFAULTS["guidance_rescale"], initial_noise=DEFAULTS["initial_noise"],
                         epsilon_scaling=DEFAULTS["epsilon_scaling"]):
    """Teacher-forced next-concept prediction at every position of x [B,N,D] (normalized) in parallel:
    the paper's pre-training evaluation. Position j is predicted from the true concepts before it;
    float32 on the model's device, noise from a seeded CPU generator so every device draws the same."""
    b, n, dim = x.shape
    context = model.contextualize(x)
    i = torch.arange(n, device=x.device)
    cond = (i[None, :] < i[:, None])[None].expand(b, n, n)
    uncond = torch.zeros_like(cond)
    g = torch.Generator(device="cpu").manual_seed(seed)
    z = torch.randn(b, n, dim, generator=g).to(x.device) * initial_noise

    def predict(z, t, guided):
        tt = torch.full((b, n), t, dtype=torch.long, device=x.device)
        if not guided:
            return model.denoise(z, tt, context, cond)
        # both predictions in one batch: half the denoiser calls
        both = model.denoise(torch.cat([z, z]), torch.cat([tt, tt]), torch.cat([context, context]),
                             torch.cat([cond, uncond]))
        return both[:b], both[b:]

    return ddim_cfg(predict, z, alphas, steps, guidance, guidance_rescale, epsilon_scaling)


# The Quant-LCM's defaults (the manifest's "defaults"): the paper's multi-sentence Quant-LCM-d settings.
QUANT_DEFAULTS = {"guidance": 1.0, "temperature": 1.0, "top_k": 3, "top_p": 1.0}


@torch.no_grad()
def quant_all_positions(model, x, guidance=1.0):
    """The Quant-LCM's teacher-forced next-concept prediction at every position of x [B,N,D]
    (normalized), the most likely unit of every codebook in turn (lcm.train's held-out metrics)."""
    b, n, dim = x.shape
    i = torch.arange(n, device=x.device)
    cond = (i[None, :] < i[:, None])[None].expand(b, n, n)
    partial = torch.zeros_like(x)
    for k in range(model.cfg.codebooks):
        level = torch.full((b, n), k, dtype=torch.long, device=x.device)
        logits = model.logits(partial, level, x, cond)
        if guidance != 1.0:
            uncond = model.logits(partial, level, x, torch.zeros_like(cond))
            logits = uncond + guidance * (logits - uncond)
        partial = partial + model.codebooks[k][logits.argmax(-1)]
    return partial
