#!/usr/bin/env node
/**
 * `resnext-train`: runs a recipe (`npx nx run recipes:train --recipe=<name>`). See `--help`.
 */
import { TorchrunError, trainWithTorchrun } from '../engines/torchrun.js';
import { getRecipe, listRecipes } from '../catalog/registry.js';
import type { EpochMetrics } from '../report/metrics.js';
import { runPaths, train } from '../train/trainer.js';
import { baseDir } from './base_dir.js';
import { onInterrupt, signalExitCode } from './interrupt.js';
import { USAGE, parseTrainArgs, type TrainCommand } from './parse_args.js';
import { planRun } from './plan_run.js';
import { displayPath, resumeCommand, type Invocation } from './resume_command.js';
import { UsageError } from './usage_error.js';

async function main(argv: readonly string[]): Promise<number> {
  const command = parseTrainArgs(argv);
  if (command.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (command.list) {
    for (const name of listRecipes()) process.stdout.write(`${name}\t${getRecipe(name).description}\n`);
    return 0;
  }
  const invocation: Invocation = { base: baseDir(command.cwd), env: process.env, script: process.argv[1] ?? 'train.js' };
  const plan = await planRun(command, invocation);
  const layout = command.torchrun;
  const resume = resumeCommand(plan.out, invocation) + (layout === undefined ? '' : torchrunFlags(layout));
  // Said up front as well: a runner such as Nx may stop relaying output once it forwards Ctrl-C.
  process.stdout.write(`run directory ${displayPath(plan.out, invocation.base)}; Ctrl-C stops after the current step with a checkpoint; resume with: ${resume}\n`);
  const interrupt = onInterrupt((signal) => {
    process.stderr.write(`\n${signal}: finishing the current step, then writing a checkpoint (Ctrl-C again quits at once; the last checkpoint on disk stays valid).\n`);
  });
  try {
    if (layout !== undefined) {
      const { exitCode, history } = await trainWithTorchrun(plan.recipe, { out: plan.out, resume: plan.resume, layout, signal: interrupt.signal });
      const signal = interrupt.received();
      // A signal during the last evaluation lets the run finish: exit code 0.
      if (signal !== undefined && exitCode !== 0) {
        process.stderr.write(`stopped by ${signal}; checkpoint ${displayPath(runPaths(plan.out).checkpoint, invocation.base)}\nresume with: ${resume}\n`);
        return signalExitCode(signal);
      }
      if (exitCode !== 0) throw new TorchrunError(`the training processes stopped with exit code ${exitCode} (their output above says why); after a fix, resume from the last checkpoint with: ${resume}`);
      finalAccuracy(history.at(-1));
      return 0;
    }
    const result = await train(plan.recipe, { out: plan.out, resume: plan.resume, resumeOverrides: plan.overrides, reschedule: command.reschedule, signal: interrupt.signal });
    const stop = result.interrupted;
    const signal = interrupt.received();
    if (stop !== undefined && signal !== undefined) {
      process.stderr.write(
        `stopped by ${signal} at epoch ${stop.epoch + 1}, step ${stop.step}/${stop.stepsPerEpoch}; checkpoint ${displayPath(stop.checkpoint, invocation.base)}\n` +
          `resume with: ${resume}\n`,
      );
      return signalExitCode(signal);
    }
    finalAccuracy(result.history.at(-1));
    return 0;
  } finally {
    interrupt.dispose();
  }
}

function finalAccuracy(last: EpochMetrics | undefined): void {
  if (last !== undefined) process.stdout.write(`final test accuracy ${(100 * last.testAccuracy).toFixed(2)}%\n`);
}

/** The torchrun flags of a command line that resumes the run. */
function torchrunFlags(layout: NonNullable<TrainCommand['torchrun']>): string {
  const where = layout.rdzvEndpoint === undefined ? '' : ` --nnodes=${layout.nnodes ?? 1} --node-rank=${layout.nodeRank ?? 0} --rdzv-endpoint=${layout.rdzvEndpoint}`;
  return ` --engine=torchrun --nproc-per-node=${layout.nprocPerNode}${where}`;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const e = error as Error;
    if (e instanceof UsageError) {
      process.stderr.write(`resnext-train: ${e.message}\n\n${USAGE}`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`${e.name}: ${e.message}\n`);
    process.exitCode = 1;
  },
);
