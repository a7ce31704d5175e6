import { randomUUID } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import type { Workflow } from '../../../shared/src/index';
import type { SampleRepository } from '../storage/sample.repository';
import type {
  WorkflowRecord,
  WorkflowRepository,
  WorkflowVersionRecord,
} from '../storage/workflow.repository';
import type { Template } from '../templates/template-catalog';
import {
  blankDocument,
  describeDocument,
  exportFileName,
  validationIssues,
} from './document-facts';
import { scrubForExport } from './export-scrub';
import type { ValidationIssue } from './issues-error';

export interface WorkflowSummary {
  id: string;
  name: string;
  description?: string;
  updatedAt: string;
  version: number;
  valid: boolean;
  triggerType?: string;
}

export interface WorkflowDetail {
  id: string;
  name: string;
  /** The workflow v1 document as last saved; a draft may not validate yet. */
  document: Workflow;
  version: number;
  updatedAt: string;
}

export type ImportResult = { id: string } | { issues: ValidationIssue[] };

interface Deps {
  workflows: WorkflowRepository;
  samples: SampleRepository;
  templates: () => Template[];
  now?: () => string;
}

/** Workflows and their versions: what the router's `workflows.*` procedures do. */
export class WorkflowService {
  private readonly now: () => string;

  constructor(private readonly deps: Deps) {
    this.now = deps.now ?? (() => new Date().toISOString());
  }

  list(search?: string): WorkflowSummary[] {
    return this.deps.workflows.list(search).map((record) => ({
      id: record.id,
      name: record.name,
      ...(record.description ? { description: record.description } : {}),
      updatedAt: record.updatedAt,
      version: record.version,
      valid: record.valid,
      ...(record.triggerType ? { triggerType: record.triggerType } : {}),
    }));
  }

  get(id: string): WorkflowDetail {
    const record = this.require(id);
    return {
      id,
      name: record.name,
      document: record.document as Workflow,
      version: record.version,
      updatedAt: record.updatedAt,
    };
  }

  create(input: { document?: unknown; fromTemplate?: string }): { id: string; version: number } {
    let document: unknown = input.document ?? blankDocument();
    let sampleInput: unknown;
    if (input.fromTemplate !== undefined) {
      const template = this.deps
        .templates()
        .find((candidate) => candidate.id === input.fromTemplate);
      if (!template)
        throw new TRPCError({ code: 'NOT_FOUND', message: `No template "${input.fromTemplate}".` });
      document = structuredClone(template.document);
      sampleInput = template.sampleInput;
    }
    const id = randomUUID();
    const now = this.now();
    const message = input.fromTemplate
      ? `Created from template "${input.fromTemplate}"`
      : 'Created';
    const version = this.deps.workflows.create(id, describeDocument(document), message, now);
    const triggerId = triggerNodeId(document);
    // A template's sample input becomes the trigger's pinned sample: the workflow runs as it is.
    if (sampleInput !== undefined && triggerId)
      this.deps.samples.pin(id, triggerId, sampleInput, now);
    return { id, version };
  }

  save(
    id: string,
    document: unknown,
    message?: string,
  ): { version: number; issues: ValidationIssue[] } {
    this.require(id);
    const described = describeDocument(document);
    const version = this.deps.workflows.saveVersion(id, described, message, this.now());
    return { version, issues: described.issues };
  }

  rename(id: string, name: string): { version: number } {
    const record = this.require(id);
    const document = { ...(record.document as Record<string, unknown>), name };
    return {
      version: this.deps.workflows.saveVersion(
        id,
        describeDocument(document),
        `Renamed to "${name}"`,
        this.now(),
      ),
    };
  }

  duplicate(id: string): { id: string } {
    const record = this.require(id);
    const document = {
      ...(record.document as Record<string, unknown>),
      name: `${record.name} (copy)`,
    };
    const copyId = randomUUID();
    const now = this.now();
    this.deps.workflows.create(
      copyId,
      describeDocument(document),
      `Duplicated from "${record.name}"`,
      now,
    );
    this.deps.samples.copy(id, copyId, now);
    return { id: copyId };
  }

  delete(id: string): void {
    this.require(id);
    this.deps.workflows.setDeleted(id, this.now());
  }

  restore(id: string): void {
    if (!this.deps.workflows.find(id, { includeDeleted: true })) throw notFound(id);
    this.deps.workflows.setDeleted(id, null);
  }

  versions(id: string): WorkflowVersionRecord[] {
    this.require(id);
    return this.deps.workflows.versions(id);
  }

  /** Restoring never rewrites history: the old content becomes a new version. */
  restoreVersion(id: string, version: number): { version: number } {
    this.require(id);
    const document = this.deps.workflows.versionDocument(id, version);
    if (document === undefined) {
      throw new TRPCError({
        code: 'NOT_FOUND',
        message: `Workflow ${id} has no version ${version}.`,
      });
    }
    const saved = this.deps.workflows.saveVersion(
      id,
      describeDocument(document),
      `Restored version ${version}`,
      this.now(),
    );
    return { version: saved };
  }

  /** Imports a `.maestro.json` text; only a valid workflow is accepted. */
  import(text: string, fileName?: string): ImportResult {
    const where = fileName ? `${fileName}: ` : '';
    let document: unknown;
    try {
      document = JSON.parse(text) as unknown;
    } catch (error) {
      return { issues: [{ path: '', message: `${where}not JSON (${(error as Error).message})` }] };
    }
    const issues = validationIssues(document);
    if (issues.length > 0) return { issues };
    const id = randomUUID();
    this.deps.workflows.create(
      id,
      describeDocument(document),
      fileName ? `Imported from ${fileName}` : 'Imported',
      this.now(),
    );
    return { id };
  }

  export(id: string): { fileName: string; text: string } {
    const record = this.require(id);
    return {
      fileName: exportFileName(record.name),
      text: `${JSON.stringify(scrubForExport(record.document), null, 2)}\n`,
    };
  }

  private require(id: string): WorkflowRecord {
    const record = this.deps.workflows.find(id);
    if (!record) throw notFound(id);
    return record;
  }
}

function notFound(id: string): TRPCError {
  return new TRPCError({
    code: 'NOT_FOUND',
    message: `No workflow with id ${id} (it may have been deleted).`,
  });
}

function triggerNodeId(document: unknown): string | undefined {
  const nodes = (document as { nodes?: unknown }).nodes;
  if (!Array.isArray(nodes)) return undefined;
  const trigger = (nodes as { id?: unknown; type?: unknown }[]).find((node) =>
    String(node.type).startsWith('trigger.'),
  );
  return typeof trigger?.id === 'string' ? trigger.id : undefined;
}
