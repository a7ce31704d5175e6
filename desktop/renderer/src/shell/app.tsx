import { ReactFlowProvider } from '@xyflow/react';
import { Suspense, useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { api } from '../api/trpc-client';
import { WorkflowCanvas } from '../canvas/workflow-canvas';
import { Inspector } from '../inspector/inspector';
import { NodePalette } from '../palette/node-palette';
import { GalleryDialog } from '../panels/gallery-dialog';
import { VersionsDialog } from '../panels/versions-dialog';
import { RunDialog } from '../run-panel/run-dialog';
import { RunPanel } from '../run-panel/run-panel';
import { NotificationsBell } from '../runner/notifications-bell';
import { editorStore, useEditor } from '../store/editor-store';
import { Toasts } from '../ui/toasts';
import { watchValidation } from '../validation/validation-store';
import { openWorkflow, refreshList } from '../workflows/workflow-actions';
import { WorkflowList } from '../workflows/workflow-list';
import {
  AdminPage,
  ConnectionsPage,
  EventWebhooksPage,
  ExecutionsPage,
  HelpDialog,
  PublishDialog,
  RunnerConnectionsPage,
  RunnerPage,
  SettingsPage,
} from './lazy-screens';
import { setThemePreference } from './theme';
import { TopBar } from './top-bar';
import type { Page } from './ui-store';
import { showOverlay, showPage, useUi } from './ui-store';
import { useShortcuts } from './use-shortcuts';

const PAGES: [Page, string][] = [
  ['editor', 'Editor'],
  ['connections', 'Connections'],
  ['runner', 'Runner'],
  ['executions', 'Executions'],
  ['runner-connections', 'Runner connections'],
  ['admin', 'Organizations'],
  ['event-webhooks', 'Event webhooks'],
  ['settings', 'Settings'],
];

function Editor() {
  useShortcuts();
  const open = useEditor((s) => s.workflowId !== null);
  return (
    <div className="editor">
      <TopBar />
      {open ? (
        <div className="editor-main">
          <NodePalette disabled={!open} />
          <main className="canvas-area" aria-label="Workflow editor">
            <WorkflowCanvas />
            <RunPanel />
          </main>
          <Inspector />
        </div>
      ) : (
        <main className="empty-state" aria-label="No workflow open">
          <h2>Open a workflow, or start a new one</h2>
          <p className="muted">
            Start from a blank canvas or one of the starter templates; everything stays on this
            machine until you publish it.
          </p>
          <button type="button" className="btn btn-primary" onClick={() => showOverlay('gallery')}>
            + New workflow
          </button>
        </main>
      )}
    </div>
  );
}

function PageLoading() {
  return (
    <p className="page-loading muted" role="status">
      Loading…
    </p>
  );
}

/** The whole window: navigation, workflow list, the current page, overlays and toasts. */
export function App() {
  const { page, overlay } = useUi(useShallow((s) => ({ page: s.page, overlay: s.overlay })));
  useEffect(() => watchValidation(editorStore), []);
  useEffect(() => {
    void refreshList();
    api.settings.get.query().then(
      (settings) => {
        setThemePreference(settings.theme);
        if (settings.lastOpenWorkflowId) void openWorkflow(settings.lastOpenWorkflowId);
      },
      () => undefined,
    );
  }, []);
  return (
    <ReactFlowProvider>
      <div className="app">
        <div className="sidebar">
          <div className="sidebar-head">
            <div className="brand" aria-hidden="true">
              <span className="brand-mark">M</span> Maestro
            </div>
            {/* In the sidebar, so that operators see new alerts from every page. */}
            <NotificationsBell />
          </div>
          <nav className="page-nav" aria-label="Pages">
            {PAGES.map(([id, label]) => (
              <button
                key={id}
                type="button"
                className={`nav-btn${page === id ? ' is-active' : ''}`}
                aria-current={page === id ? 'page' : undefined}
                onClick={() => showPage(id)}
              >
                {label}
              </button>
            ))}
          </nav>
          <WorkflowList />
        </div>
        <div className="content">
          <Suspense fallback={<PageLoading />}>
            {page === 'editor' ? (
              <Editor />
            ) : page === 'connections' ? (
              <ConnectionsPage />
            ) : page === 'runner' ? (
              <RunnerPage />
            ) : page === 'executions' ? (
              <ExecutionsPage />
            ) : page === 'runner-connections' ? (
              <RunnerConnectionsPage />
            ) : page === 'admin' ? (
              <AdminPage />
            ) : page === 'event-webhooks' ? (
              <EventWebhooksPage />
            ) : (
              <SettingsPage />
            )}
          </Suspense>
        </div>
        {overlay === 'gallery' && <GalleryDialog />}
        {overlay === 'versions' && <VersionsDialog />}
        {overlay === 'run' && <RunDialog />}
        <Suspense fallback={null}>
          {overlay === 'help' && <HelpDialog />}
          {overlay === 'publish' && <PublishDialog />}
        </Suspense>
        <Toasts />
      </div>
    </ReactFlowProvider>
  );
}
