// A Headlamp frontend assembled from @kinvolk/headlamp-plugin's compiled lib:
// Headlamp's own providers, Sidebar, RouteSwitcher and plugin loader, which
// fetches /plugins and runs each plugin's main.js exactly as Headlamp does.
// Headlamp's App/Layout are not shipped in lib, so what they do at start-up is
// done here: hand the store to the router (route names → URLs) and dispatch the
// cluster list they would fetch from /config. The query client is Headlamp's
// own (3-minute staleTime), as its App uses: a plugin's list hooks then share
// the Nodes table's list instead of fetching it again.
import '@kinvolk/headlamp-plugin/lib';
import '@kinvolk/headlamp-plugin/lib/i18n/config';
import { ThemeProvider } from '@mui/material/styles';
import { QueryClientProvider } from '@tanstack/react-query';
import { SnackbarProvider } from 'notistack';
import { createRoot } from 'react-dom/client';
import { Provider } from 'react-redux';
import { BrowserRouter } from 'react-router-dom';
import RouteSwitcher from '@kinvolk/headlamp-plugin/lib/components/App/RouteSwitcher';
import { lightTheme } from '@kinvolk/headlamp-plugin/lib/components/App/defaultAppThemes';
import Sidebar from '@kinvolk/headlamp-plugin/lib/components/Sidebar';
import { queryClient } from '@kinvolk/headlamp-plugin/lib/lib/queryClient';
import { setStore } from '@kinvolk/headlamp-plugin/lib/lib/router/createRouteURL';
import { createMuiTheme } from '@kinvolk/headlamp-plugin/lib/lib/themes';
import Plugins from '@kinvolk/headlamp-plugin/lib/plugin/Plugins';
import { setConfig } from '@kinvolk/headlamp-plugin/lib/redux/configSlice';
import store from '@kinvolk/headlamp-plugin/lib/redux/stores/store';

setStore(store);
store.dispatch(setConfig({ clusters: [{ name: 'test', server: window.location.origin }] }));

createRoot(document.getElementById('root')).render(
  <Provider store={store}>
    <QueryClientProvider client={queryClient}>
      <ThemeProvider theme={createMuiTheme(lightTheme)}>
        <SnackbarProvider>
          <BrowserRouter>
            <Plugins />
            <div style={{ display: 'flex' }}>
              <Sidebar />
              <main style={{ flexGrow: 1, minWidth: 0 }}>
                <RouteSwitcher requiresToken={() => false} />
              </main>
            </div>
          </BrowserRouter>
        </SnackbarProvider>
      </ThemeProvider>
    </QueryClientProvider>
  </Provider>,
);
