/** The document saved as version N: its content proves which save it came from. */
export function documentForVersion(version: number) {
  return {
    format: 'maestro/workflow@1',
    name: `Save ${version}`,
    nodes: [
      { id: 'start', type: 'trigger.manual' },
      // Some bulk, so that a save spans several pages and a kill can land inside one.
      {
        id: 'shape',
        type: 'transform',
        config: { value: { version, padding: 'x'.repeat(8000 + (version % 97)) } },
      },
    ],
    edges: [{ from: 'start', to: 'shape' }],
  };
}
