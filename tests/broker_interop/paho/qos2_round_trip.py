"""QoS 2 both ways: paho publishes at QoS 2 (PUBLISH, PUBREC, PUBREL, PUBCOMP), a paho subscriber
at QoS 2 receives each message once, at QoS 2, in order."""
import paho.mqtt.client as mqtt

from common import Peer, check, port, run

TOPIC = "paho/qos2"


def main():
    broker = port()
    for protocol in (mqtt.MQTTv311, mqtt.MQTTv5):
        sub = Peer("paho-qos2-sub-%d" % protocol, protocol, clean_session=True)
        sub.connect(broker)
        sub.subscribe(TOPIC, 2)
        pub = Peer("paho-qos2-pub-%d" % protocol, protocol, clean_session=True)
        pub.connect(broker)
        for k in range(3):
            pub.publish(TOPIC, b"exactly once %d" % k, 2)  # returns once PUBCOMP arrived
        for k in range(3):
            m = sub.next_message("QoS 2 message %d" % k)
            check(m.payload == b"exactly once %d" % k, "message %d is %r" % (k, m.payload))
            check(m.qos == 2, "message %d arrived at QoS %d" % (k, m.qos))
            check(not m.retain, "a live message arrived with retain set")
        pub.disconnect()
        sub.disconnect()
        check(sub.messages.empty(), "a QoS 2 message arrived twice: %r" % sub.messages.queue)


run(main)
