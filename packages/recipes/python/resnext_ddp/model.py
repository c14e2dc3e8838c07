"""The recipe's network, built from its ResNeXtConfig (packages/models/src/config.ts) with
torchvision's modules and names, so state-dict keys and shapes equal those @resnext/models maps
(conv1, bn1, layer{s}.{b}.conv1 … downsample.0/1, fc). The standard ImageNet bottleneck family is
torchvision's own ResNet(Bottleneck, layers, groups=C, width_per_group=d); the CIFAR/Fashion-MNIST
stems, other stage widths and the wide basic blocks of ResNeXt-18/34 use the same blocks in a
ResNet laid out as packages/models/src/architecture does."""
import torch
import torch.nn as nn
from torchvision.models.resnet import Bottleneck, ResNet, conv1x1, conv3x3


class WideBasicBlock(nn.Module):
    """packages/layers basicBlock: 3x3 (→ planes, with the stride) → BN → ReLU → 3x3 (→ planes ×
    expansion) → BN, plus the shortcut, then ReLU. torchvision's BasicBlock keeps the inner width
    equal to the output, which ResNeXt-18/34's 2× wide inner 3x3 does not."""

    def __init__(self, inplanes, planes, stride, expansion):
        super().__init__()
        out = int(planes * expansion)
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = nn.BatchNorm2d(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, out)
        self.bn2 = nn.BatchNorm2d(out)
        self.downsample = None
        if stride != 1 or inplanes != out:
            self.downsample = nn.Sequential(conv1x1(inplanes, out, stride), nn.BatchNorm2d(out))

    def forward(self, x):
        y = self.relu(self.bn1(self.conv1(x)))
        y = self.bn2(self.conv2(y))
        return self.relu(y + (x if self.downsample is None else self.downsample(x)))


def _bottleneck(inplanes, planes, stride, expansion, groups, base_width):
    block = type("Bottleneck", (Bottleneck,), {"expansion": expansion})
    out = planes * expansion
    downsample = None
    if stride != 1 or inplanes != out:
        downsample = nn.Sequential(conv1x1(inplanes, out, stride), nn.BatchNorm2d(out))
    return block(inplanes, planes, stride, downsample, groups=groups, base_width=base_width)


class ConfigResNeXt(nn.Module):
    """createModel of @resnext/models for any config: stem, stages, global average pool, dropout, fc."""

    def __init__(self, arch, num_classes, in_channels, drop_rate=0.0, zero_init_residual=False):
        super().__init__()
        imagenet = arch["stem"] == "imagenet"
        k = 7 if imagenet else 3
        self.conv1 = nn.Conv2d(in_channels, arch["stemWidth"], k, 2 if imagenet else 1, (k - 1) // 2, bias=False)
        self.bn1 = nn.BatchNorm2d(arch["stemWidth"])
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(3, 2, 1) if imagenet else nn.Identity()
        inplanes = arch["stemWidth"]
        self.stage_names = []
        for s, (blocks, planes) in enumerate(zip(arch["blocksPerStage"], arch["stagePlanes"])):
            layer = []
            for b in range(blocks):
                stride = 2 if b == 0 and s > 0 else 1
                if arch["block"] == "bottleneck":
                    layer.append(_bottleneck(inplanes, planes, stride, arch["expansion"], arch["cardinality"], arch["baseWidth"]))
                else:
                    layer.append(WideBasicBlock(inplanes, planes, stride, arch["expansion"]))
                inplanes = int(planes * arch["expansion"])
            self.stage_names.append(f"layer{s + 1}")
            self.add_module(f"layer{s + 1}", nn.Sequential(*layer))
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.dropout = nn.Dropout(drop_rate) if drop_rate > 0 else nn.Identity()
        self.fc = nn.Linear(inplanes, num_classes)
        for m in self.modules():  # torchvision ResNet's initialization
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, nn.BatchNorm2d):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
        if zero_init_residual:
            for m in self.modules():
                if isinstance(m, Bottleneck):
                    nn.init.constant_(m.bn3.weight, 0)
                elif isinstance(m, WideBasicBlock):
                    nn.init.constant_(m.bn2.weight, 0)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        for name in self.stage_names:
            x = getattr(self, name)(x)
        return self.fc(self.dropout(torch.flatten(self.avgpool(x), 1)))


def is_torchvision_resnet(arch, in_channels, drop_rate):
    """Whether torchvision's own ResNet class builds this config (the ImageNet bottleneck family)."""
    return (arch["block"] == "bottleneck" and arch["stem"] == "imagenet" and arch["stemWidth"] == 64 and arch["expansion"] == 4
            and list(arch["stagePlanes"]) == [64, 128, 256, 512] and in_channels == 3 and drop_rate == 0)


def build_model(arch, model_spec):
    """The recipe's `model` section on `arch` (the resolved ResNeXtConfig), initialized as torchvision."""
    options = model_spec.get("options") or {}
    drop_rate = options.get("dropRate", 0) or 0
    zero_init = bool(options.get("zeroInitResidual", False))
    in_channels = model_spec["inputShape"][2]
    num_classes = model_spec["numClasses"]
    if is_torchvision_resnet(arch, in_channels, drop_rate):
        return ResNet(Bottleneck, list(arch["blocksPerStage"]), num_classes=num_classes, zero_init_residual=zero_init,
                      groups=arch["cardinality"], width_per_group=arch["baseWidth"])
    return ConfigResNeXt(arch, num_classes, in_channels, drop_rate, zero_init)
