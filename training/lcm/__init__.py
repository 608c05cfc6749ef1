"""The LCM (Two-Tower diffusion and Base-LCM): data, training, sampling, evaluation and ONNX export to
docs/lcm-contract.md, each script run as `python3 -m lcm.<module>` from training/ (training/README.md)."""
