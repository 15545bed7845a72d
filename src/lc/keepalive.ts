/**
 * WebSocket ping on each hop (Part 4 §5.2 / 2.1 §5.3: ping/pong "only checks from point-to-point"; with a Local
 * Controller each of the two connections needs its own check). A socket that has not answered the previous ping
 * by the next one is terminated; its 'close' then takes the other hop down too (§6.3).
 */
import type WebSocket from 'ws';

export interface Keepalive {
  stop(): void;
}

export function startKeepalive(socket: WebSocket, intervalMs: number, onDead: () => void): Keepalive {
  if (intervalMs <= 0) return { stop: () => undefined };
  let answered = true;
  const onPong = (): void => {
    answered = true;
  };
  socket.on('pong', onPong);
  const timer = setInterval(() => {
    if (!answered) {
      onDead();
      socket.terminate();
      return;
    }
    answered = false;
    socket.ping();
  }, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      socket.off('pong', onPong);
    },
  };
}
