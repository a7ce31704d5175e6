// Child process of kill-mid-save.test.ts: saves versions of one workflow as
// fast as it can and prints "saved N" only after each save has returned (been
// committed), until it is killed.
import { writeSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase } from '../../main/storage/database';
import { SampleRepository } from '../../main/storage/sample.repository';
import { WorkflowRepository } from '../../main/storage/workflow.repository';
import { WorkflowService } from '../../main/workflows/workflow-service';
import { documentForVersion } from './save-loop-document';

const db = openDatabase(join(process.argv[2]!, 'maestro.sqlite'));
const service = new WorkflowService({
  workflows: new WorkflowRepository(db),
  samples: new SampleRepository(db),
  templates: () => [],
});
const { id } = service.create({ document: documentForVersion(1) });
writeSync(1, `workflow ${id}\nsaved 1\n`);
for (let version = 2; ; version++) {
  const saved = service.save(id, documentForVersion(version), `save ${version}`);
  writeSync(1, `saved ${saved.version}\n`);
}
