import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { createDemoRuntime } from './lib/runtime.js';
import './styles.css';

const container = document.getElementById('root');
if (!container) throw new Error('index.html needs a #root element');
const root = createRoot(container);

createDemoRuntime().then(
  (runtime) => {
    root.render(
      <StrictMode>
        <App runtime={runtime} />
      </StrictMode>,
    );
  },
  (error: unknown) => {
    root.render(
      <main>
        <div className="error-box" role="alert">
          <strong>The demo could not start.</strong>{' '}
          {error instanceof Error ? error.message : String(error)}
        </div>
      </main>,
    );
  },
);
