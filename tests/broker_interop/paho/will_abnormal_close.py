"""The will of a paho client whose socket closes without DISCONNECT reaches a subscriber; the will
of a client that disconnects cleanly does not."""
import socket

import paho.mqtt.client as mqtt

from common import Peer, check, port, run

WILL_TOPIC = "paho/will"


def connect_with_will(broker, name, payload):
    """A client with a will, run by hand (no network thread) so its socket can be cut."""
    client = mqtt.Client(client_id=name, clean_session=True)
    client.will_set(WILL_TOPIC, payload, qos=1)
    connacks = []
    client.on_connect = lambda c, u, flags, rc: connacks.append(rc)
    client.connect("127.0.0.1", broker, keepalive=30)
    for _ in range(100):
        if connacks:
            break
        client.loop(timeout=0.1)
    check(connacks == [0], "%s: no CONNACK (got %r)" % (name, connacks))
    return client


def main():
    broker = port()
    watcher = Peer("paho-will-watcher", mqtt.MQTTv311, clean_session=True)
    watcher.connect(broker)
    watcher.subscribe(WILL_TOPIC, 1)

    polite = connect_with_will(broker, "paho-will-polite", b"polite")
    polite.disconnect()  # DISCONNECT: the will is discarded
    polite.loop(timeout=0.1)

    rude = connect_with_will(broker, "paho-will-rude", b"rude")
    sock = rude.socket()
    sock.shutdown(socket.SHUT_RDWR)  # no DISCONNECT: the broker sees the stream end
    sock.close()

    m = watcher.next_message("will message")
    check(m.topic == WILL_TOPIC, "wrong topic %s" % m.topic)
    check(m.payload == b"rude", "the first will is %r, not the rude client's" % m.payload)
    check(m.qos == 1, "the will arrived at QoS %d" % m.qos)
    watcher.disconnect()


run(main)
