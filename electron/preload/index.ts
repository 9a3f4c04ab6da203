import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { IPC_INVOKE_CHANNEL, IPC_PUSH_CHANNEL, IPC_READY_CHANNEL, type AppBridge } from '../../shared/api/channels';

/**
 * Exposes exactly the App API transport (STYLE §1): three fixed channels, never
 * `ipcRenderer` itself. Payloads are validated in main (router) and in the renderer (createAppApi).
 */
const bridge: AppBridge = {
  invoke: (command, request) => ipcRenderer.invoke(IPC_INVOKE_CHANNEL, command, request),
  on: (push, listener) => {
    const handler = (_event: IpcRendererEvent, name: unknown, payload: unknown) => {
      if (name === push) listener(payload);
    };
    ipcRenderer.on(IPC_PUSH_CHANNEL, handler);
    return () => {
      ipcRenderer.removeListener(IPC_PUSH_CHANNEL, handler);
    };
  },
  ready: () => ipcRenderer.send(IPC_READY_CHANNEL),
};

contextBridge.exposeInMainWorld('echoscope', bridge);
