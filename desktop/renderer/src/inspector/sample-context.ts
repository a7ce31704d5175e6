import { useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { isTriggerType } from '../catalog/node-catalog';
import { useSamples } from '../run/sample-store';
import { useEditor } from '../store/editor-store';
import type { CompletionContext } from './expression-completions';

/**
 * The data expressions of `selfId` are completed and previewed against:
 * pinned samples, overridden by the outputs of the last dry-run.
 */
export function useSampleContext(selfId: string): CompletionContext {
  const { nodes, steps } = useEditor(useShallow((s) => ({ nodes: s.nodes, steps: s.run.steps })));
  const { pinned, env } = useSamples(useShallow((s) => ({ pinned: s.pinned, env: s.env })));
  return useMemo(() => {
    const trigger = nodes.find((n) => isTriggerType(n.data.nodeType));
    const outputs: Record<string, unknown> = {};
    for (const node of nodes) {
      if (node.id === trigger?.id) continue;
      const live = steps[node.id]?.output;
      if (live !== undefined) outputs[node.id] = live;
      else if (pinned[node.id] !== undefined) outputs[node.id] = pinned[node.id];
    }
    const triggerSample = trigger ? (steps[trigger.id]?.output ?? pinned[trigger.id]) : undefined;
    return {
      trigger: triggerSample,
      steps: outputs,
      env,
      stepIds: nodes.filter((n) => n.id !== selfId && n.id !== trigger?.id).map((n) => n.id),
    };
  }, [nodes, steps, pinned, env, selfId]);
}
