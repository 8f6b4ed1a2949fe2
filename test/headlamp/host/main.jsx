// Headlamp's own frontend, as @kinvolk/headlamp-plugin ships it compiled in
// lib/: its providers, Sidebar, RouteSwitcher (Nodes list and details, every
// built-in route) and its plugin loader, which fetches /plugins and runs each
// plugin's main.js through window.pluginLib exactly as Headlamp does.
// Headlamp's App and Layout are not in lib, so what they do at start-up is
// done here: register the icons Headlamp's views name (vite.config.mjs), hand
// the store to the router (route names → URLs), put the clusters the
// backend's /config lists into the store, keyed by name, and lay out the
// sidebar, main area and activities. The query client is
// Headlamp's own (3-minute staleTime), as its App uses: a plugin's list hooks
// then share the Nodes table's list.
import '@kinvolk/headlamp-plugin/lib';
import '@kinvolk/headlamp-plugin/lib/i18n/config';
import 'virtual:headlamp-icons';
import { ThemeProvider } from '@mui/material/styles';
import { QueryClientProvider } from '@tanstack/react-query';
import { SnackbarProvider } from 'notistack';
import { createRoot } from 'react-dom/client';
import { Provider } from 'react-redux';
import { BrowserRouter } from 'react-router-dom';
import { ActivitiesRenderer } from '@kinvolk/headlamp-plugin/lib/components/activity/Activity';
import RouteSwitcher, { PreviousRouteProvider } from '@kinvolk/headlamp-plugin/lib/components/App/RouteSwitcher';
import { lightTheme } from '@kinvolk/headlamp-plugin/lib/components/App/defaultAppThemes';
import Sidebar from '@kinvolk/headlamp-plugin/lib/components/Sidebar';
import { queryClient } from '@kinvolk/headlamp-plugin/lib/lib/queryClient';
import { setStore } from '@kinvolk/headlamp-plugin/lib/lib/router/createRouteURL';
import { createMuiTheme } from '@kinvolk/headlamp-plugin/lib/lib/themes';
import Plugins from '@kinvolk/headlamp-plugin/lib/plugin/Plugins';
import { setConfig } from '@kinvolk/headlamp-plugin/lib/redux/configSlice';
import store from '@kinvolk/headlamp-plugin/lib/redux/stores/store';

// Headlamp's layout grid: the sidebar, the scrolling main area, and the
// activities (a node opened from a table shows in a panel beside the page) in
// the main area's cell, above a row for their taskbar.
const LAYOUT = {
  display: 'grid',
  gridTemplateColumns: 'min-content 1fr',
  gridTemplateRows: '1fr min-content',
  height: '100vh',
  overflow: 'hidden',
  position: 'relative',
};
const MAIN = { gridColumn: '2/3', gridRow: '1/2', overflow: 'auto', position: 'relative', minHeight: 0, minWidth: 0 };

async function loadClusters() {
  const config = await (await fetch('/config')).json();
  const clusters = Object.fromEntries(config.clusters.map((cluster) => [cluster.name, cluster]));
  store.dispatch(setConfig({ ...config, clusters }));
}

function render() {
  createRoot(document.getElementById('root')).render(
    <Provider store={store}>
      <QueryClientProvider client={queryClient}>
        <ThemeProvider theme={createMuiTheme(lightTheme)}>
          <SnackbarProvider>
            <BrowserRouter>
              <PreviousRouteProvider>
                <Plugins />
                <div style={LAYOUT}>
                  <div style={{ gridColumn: '1/2', gridRow: '1/3' }}>
                    <Sidebar />
                  </div>
                  <main id="main" style={MAIN}>
                    <RouteSwitcher requiresToken={() => false} />
                  </main>
                  <ActivitiesRenderer />
                </div>
              </PreviousRouteProvider>
            </BrowserRouter>
          </SnackbarProvider>
        </ThemeProvider>
      </QueryClientProvider>
    </Provider>,
  );
}

setStore(store);
loadClusters().then(render);
