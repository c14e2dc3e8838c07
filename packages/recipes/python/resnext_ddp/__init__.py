"""The PyTorch DDP engine of @resnext/recipes: runs a resolved RecipeConfig (the run directory's
config.json) on torch.distributed through torchrun, with the architecture, optimizer, schedule,
data order and augmentations of the TensorFlow.js trainer, and writes the same run directory.

Started by `resnext-train --engine=torchrun`; see docs/recipes.md, "Scale out"."""
