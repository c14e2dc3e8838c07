// The temporary files a run's atomic writes leave behind when the run is killed. Their names and
// the removal of orphans belong to the shared writer (@resnext/layers/node-io); the recipes add
// the cleaning of a run directory.
import { removeOrphanedTempFiles } from '@resnext/layers/node-io';

/**
 * Removes the orphaned temporary files of a run directory and of its checkpoints folder (see
 * {@link removeOrphanedTempFiles}), telling `note` of each: a run killed while writing leaves its
 * temporary file behind (a checkpoint's is hundreds of MB for ImageNet recipes); a live writer's
 * (another run in this directory) stays. Both engines call it before they start.
 */
export async function removeOrphanedRunTempFiles(runDir: string, checkpointsDir: string, note: (text: string) => void): Promise<void> {
  for (const dir of [runDir, checkpointsDir]) {
    for (const { file, bytes } of await removeOrphanedTempFiles(dir)) note(`removed ${file} (${(bytes / 1e6).toFixed(1)} MB), left by an interrupted write`);
  }
}
