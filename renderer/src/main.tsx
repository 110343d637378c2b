// Fast-refresh preamble as a module: the strict CSP forbids the inline one in development.
import '@vitejs/plugin-react/preamble';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { installClient } from './api/client';
import { App } from './App';
import { initI18n } from './i18n';
import { installScrollMemory } from './scroll-memory';
import { installValidationMessages } from './validation';
import './styles/base.css';
import './styles/layout.css';
import './styles/components.css';
import './styles/widgets.css';
import './components/fields.css';

installClient();
initI18n();
installValidationMessages();
installScrollMemory();

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
