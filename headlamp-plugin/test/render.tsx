// Headlamp's own providers around a component under test, as upstream's
// frontend/src/test/index.tsx does; the store and theme come from lib.
import { ThemeProvider } from '@mui/material/styles';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { render } from '@testing-library/react';
import { lightTheme } from '@kinvolk/headlamp-plugin/lib/components/App/defaultAppThemes';
import { createMuiTheme } from '@kinvolk/headlamp-plugin/lib/lib/themes';
import { setStore } from '@kinvolk/headlamp-plugin/lib/lib/router/createRouteURL';
import { setConfig } from '@kinvolk/headlamp-plugin/lib/redux/configSlice';
import store from '@kinvolk/headlamp-plugin/lib/redux/stores/store';
import { SnackbarProvider } from 'notistack';
import React from 'react';
import { Provider } from 'react-redux';
import { MemoryRouter, Route } from 'react-router-dom';

export const CLUSTER = 'test';

export function renderInHeadlamp(element: React.ReactElement, options: { path?: string; route?: string } = {}) {
  const path = options.path ?? `/c/${CLUSTER}/nodes`;
  window.history.pushState({}, '', path);
  setStore(store);
  store.dispatch(setConfig({ clusters: [{ name: CLUSTER, server: 'http://localhost' }] } as never));
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <Provider store={store}>
      <QueryClientProvider client={queryClient}>
        <ThemeProvider theme={createMuiTheme(lightTheme)}>
          <SnackbarProvider>
            <MemoryRouter initialEntries={[path]}>
              <Route path={options.route ?? '/c/:cluster'}>{element}</Route>
            </MemoryRouter>
          </SnackbarProvider>
        </ThemeProvider>
      </QueryClientProvider>
    </Provider>,
  );
}
