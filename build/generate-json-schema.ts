// `npm run schema`: writes shared/schema/workflow-v1.schema.json from the zod
// schemas. shared/test/workflow-json-schema.test.ts fails when the committed
// file is not what this would write.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { buildWorkflowJsonSchema, WORKFLOW_SCHEMA_PATH } from './workflow-json-schema';

const target = new URL(`../${WORKFLOW_SCHEMA_PATH}`, import.meta.url);
mkdirSync(dirname(target.pathname), { recursive: true });
writeFileSync(target, `${JSON.stringify(buildWorkflowJsonSchema(), null, 2)}\n`);
console.log(`wrote ${WORKFLOW_SCHEMA_PATH}`);
