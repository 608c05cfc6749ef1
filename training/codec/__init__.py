"""The concept codec (SONAR's architecture at small scale): data, tokenizer, training, evaluation, ONNX
export and distillation, each stage run as `python3 -m codec.<stage>` from training/ (training/README.md)."""
