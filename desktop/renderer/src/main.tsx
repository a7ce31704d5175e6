// Placeholder entry (desktop-main); the renderer helper replaces this file.
import { createRoot } from 'react-dom/client';

createRoot(document.getElementById('root')!).render(<p>Maestro</p>);
