//! `/brokers/ids/N`: a broker's registration (`BrokerIdZNode`).

use serde::{Deserialize, Serialize};

use super::json::{self, Reader};
use super::jvm;
use super::ZnodeDecodeError;

const ZNODE: &str = "/brokers/ids/N";

/// One advertised listener (`kafka.cluster.EndPoint`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndPoint {
    pub listener_name: String,
    /// `None` registers an empty host (`PLAINTEXT://:9092`).
    pub host: Option<String>,
    pub port: i32,
    pub security_protocol: String,
}

impl EndPoint {
    pub fn plaintext(host: &str, port: i32) -> Self {
        EndPoint {
            listener_name: "PLAINTEXT".into(),
            host: Some(host.into()),
            port,
            security_protocol: "PLAINTEXT".into(),
        }
    }

    /// `EndPoint.connectionString`: `LISTENER://host:port`, IPv6 hosts in
    /// brackets.
    pub fn connection_string(&self) -> String {
        let hostport = match &self.host {
            None => format!(":{}", self.port),
            Some(h) if h.contains(':') => format!("[{h}]:{}", self.port),
            Some(h) => format!("{h}:{}", self.port),
        };
        format!("{}://{}", self.listener_name, hostport)
    }
}

/// The security protocols Kafka knows (`SecurityProtocol.forName`).
const SECURITY_PROTOCOLS: [&str; 4] = ["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"];

/// What a broker writes to `/brokers/ids/N` on startup.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokerRegistration {
    /// Not in the JSON: it is the znode's name.
    pub id: i32,
    pub endpoints: Vec<EndPoint>,
    /// `broker.rack`.
    pub rack: Option<String>,
    pub jmx_port: i32,
    /// Registration time (ms), written as a string.
    pub timestamp_ms: i64,
    /// JSON version: 5 since Kafka 2.7 (`features` added).
    pub version: i32,
}

impl BrokerRegistration {
    /// A v5 registration with one PLAINTEXT listener and no JMX port (the
    /// usual playground broker).
    pub fn new(id: i32, host: &str, port: i32, rack: Option<&str>, timestamp_ms: i64) -> Self {
        BrokerRegistration {
            id,
            endpoints: vec![EndPoint::plaintext(host, port)],
            rack: rack.map(str::to_string),
            jmx_port: -1,
            timestamp_ms,
            version: 5,
        }
    }

    /// `BrokerIdZNode.encode`: Kafka's bytes, keys in the order of its
    /// `mutable.Map` (e.g. `{"features":{},"listener_security_protocol_map":
    /// {"PLAINTEXT":"PLAINTEXT"},"endpoints":["PLAINTEXT://h:9092"],
    /// "jmx_port":-1,"port":9092,"host":"h","version":5,"timestamp":"0"}`).
    pub fn encode(&self) -> Vec<u8> {
        // Top-level host/port: the first PLAINTEXT endpoint, for old clients.
        let plaintext = self
            .endpoints
            .iter()
            .find(|e| e.security_protocol == "PLAINTEXT");
        let (host, port) = match plaintext {
            Some(e) => (e.host.as_deref(), e.port),
            None => (None, -1),
        };
        let mut keys = vec![
            "version",
            "host",
            "port",
            "endpoints",
            "jmx_port",
            "timestamp",
        ];
        let mut entries = vec![
            ("version", self.version.to_string()),
            ("host", json::opt_string(host)),
            ("port", port.to_string()),
            (
                "endpoints",
                json::array(
                    self.endpoints
                        .iter()
                        .map(|e| json::string(&e.connection_string())),
                ),
            ),
            ("jmx_port", self.jmx_port.to_string()),
            ("timestamp", json::string(&self.timestamp_ms.to_string())),
        ];
        if let Some(rack) = &self.rack {
            if self.version >= 3 {
                keys.push("rack");
                entries.push(("rack", json::string(rack)));
            }
        }
        if self.version >= 4 {
            // advertisedEndpoints.map(listener -> protocol).toMap
            let names: Vec<&str> = self
                .endpoints
                .iter()
                .map(|e| e.listener_name.as_str())
                .collect();
            let map = json::object(jvm::scala_immutable_map_order(&names).into_iter().map(|n| {
                // toMap keeps the last value for a repeated listener name.
                let proto = self
                    .endpoints
                    .iter()
                    .rev()
                    .find(|e| e.listener_name == n)
                    .map(|e| e.security_protocol.as_str())
                    .unwrap_or_default();
                (n, json::string(proto))
            }));
            keys.push("listener_security_protocol_map");
            entries.push(("listener_security_protocol_map", map));
        }
        if self.version >= 5 {
            // Supported features: none in the playground.
            keys.push("features");
            entries.push(("features", "{}".to_string()));
        }
        let order = jvm::scala_mutable_hash_map_order(&keys, 6);
        json::object_in_order(&order, &entries).into_bytes()
    }

    /// `BrokerIdZNode.decode`: `id` comes from the path.
    pub fn decode(id: i32, bytes: &[u8]) -> Result<Self, ZnodeDecodeError> {
        let v = json::parse(ZNODE, bytes)?;
        let r = json::as_object(ZNODE, &v)?;
        let version = r.int("version")?;
        let jmx_port = r.int("jmx_port")?;
        if version < 1 {
            return Err(ZnodeDecodeError::new(
                ZNODE,
                format!("Unsupported version of broker registration: {version}"),
            ));
        }
        let endpoints = if version == 1 {
            vec![EndPoint {
                listener_name: "PLAINTEXT".into(),
                host: Some(r.str("host")?.to_string()),
                port: r.int("port")?,
                security_protocol: "PLAINTEXT".into(),
            }]
        } else {
            let protocol_map = r.opt_object("listener_security_protocol_map")?;
            r.array("endpoints")?
                .iter()
                .map(|e| {
                    let s = e.as_str().ok_or_else(|| {
                        ZnodeDecodeError::new(ZNODE, format!("endpoint is not a string: {e}"))
                    })?;
                    parse_endpoint(s, protocol_map.as_ref())
                })
                .collect::<Result<_, _>>()?
        };
        let timestamp_ms = match r.opt_str("timestamp")? {
            None => 0,
            Some(t) => t.parse().map_err(|_| {
                ZnodeDecodeError::new(ZNODE, format!("timestamp is not a number: {t}"))
            })?,
        };
        Ok(BrokerRegistration {
            id,
            endpoints,
            rack: r.opt_str("rack")?.map(str::to_string),
            jmx_port,
            timestamp_ms,
            version,
        })
    }
}

/// `EndPoint.createEndPoint`: `LISTENER://host:port`, `[v6]` hosts
/// allowed, the protocol from the listener map (or the listener's name).
fn parse_endpoint(s: &str, protocols: Option<&Reader<'_>>) -> Result<EndPoint, ZnodeDecodeError> {
    let bad = || ZnodeDecodeError::new(ZNODE, format!("Unable to parse {s} to a broker endpoint"));
    let sep = s.rfind("://").ok_or_else(bad)?;
    let listener_name = &s[..sep];
    let hostport = &s[sep + 3..];
    let colon = hostport.rfind(':').ok_or_else(bad)?;
    let host = hostport[..colon]
        .trim_start_matches('[')
        .trim_end_matches(']');
    let port: i32 = hostport[colon + 1..].parse().map_err(|_| bad())?;
    let security_protocol = match protocols {
        Some(map) => map.str(listener_name)?.to_string(),
        None => listener_name.to_string(),
    };
    if !SECURITY_PROTOCOLS.contains(&security_protocol.as_str()) {
        return Err(ZnodeDecodeError::new(
            ZNODE,
            format!("No security protocol for listener {listener_name}: {security_protocol}"),
        ));
    }
    Ok(EndPoint {
        listener_name: listener_name.to_string(),
        host: (!host.is_empty()).then(|| host.to_string()),
        port,
        security_protocol,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v5_registration_bytes_are_kafkas() {
        let b = BrokerRegistration::new(1, "broker-1", 9092, None, 1_600_000_000_000);
        assert_eq!(
            String::from_utf8(b.encode()).unwrap(),
            r#"{"features":{},"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},"endpoints":["PLAINTEXT://broker-1:9092"],"jmx_port":-1,"port":9092,"host":"broker-1","version":5,"timestamp":"1600000000000"}"#
        );
    }

    #[test]
    fn rack_goes_after_endpoints() {
        let b = BrokerRegistration::new(0, "h", 9092, Some("rack-a"), 5);
        assert_eq!(
            String::from_utf8(b.encode()).unwrap(),
            r#"{"features":{},"listener_security_protocol_map":{"PLAINTEXT":"PLAINTEXT"},"endpoints":["PLAINTEXT://h:9092"],"rack":"rack-a","jmx_port":-1,"port":9092,"host":"h","version":5,"timestamp":"5"}"#
        );
    }

    #[test]
    fn no_plaintext_listener_registers_null_host() {
        let b = BrokerRegistration {
            id: 2,
            endpoints: vec![
                EndPoint {
                    listener_name: "CLIENT".into(),
                    host: Some("::1".into()),
                    port: 9093,
                    security_protocol: "SSL".into(),
                },
                EndPoint {
                    listener_name: "REPLICATION".into(),
                    host: None,
                    port: 9094,
                    security_protocol: "SASL_SSL".into(),
                },
            ],
            rack: None,
            jmx_port: 9999,
            timestamp_ms: 1,
            version: 4,
        };
        let s = String::from_utf8(b.encode()).unwrap();
        assert!(s.contains(r#""host":null"#), "{s}");
        assert!(s.contains(r#""port":-1"#), "{s}");
        assert!(
            s.contains(r#""endpoints":["CLIENT://[::1]:9093","REPLICATION://:9094"]"#),
            "{s}"
        );
        assert!(
            s.contains(
                r#""listener_security_protocol_map":{"CLIENT":"SSL","REPLICATION":"SASL_SSL"}"#
            ),
            "{s}"
        );
        assert!(!s.contains("features"), "v4 has no features: {s}");
        assert_eq!(BrokerRegistration::decode(2, s.as_bytes()).unwrap(), b);
    }

    #[test]
    fn round_trip_and_kafka_doc_example() {
        let b = BrokerRegistration::new(3, "h", 9092, Some("r"), 77);
        assert_eq!(BrokerRegistration::decode(3, &b.encode()).unwrap(), b);
        // The v4 example from Kafka's BrokerIdZNode.decode docs.
        let doc = br#"{"version":4,"host":"localhost","port":9092,"jmx_port":9999,"timestamp":"2233345666","endpoints":["CLIENT://host1:9092","REPLICATION://host1:9093"],"listener_security_protocol_map":{"CLIENT":"SSL","REPLICATION":"PLAINTEXT"},"rack":"dc1"}"#;
        let d = BrokerRegistration::decode(0, doc).unwrap();
        assert_eq!(d.rack.as_deref(), Some("dc1"));
        assert_eq!(d.endpoints[1].security_protocol, "PLAINTEXT");
        assert_eq!(d.endpoints[0].host.as_deref(), Some("host1"));
        assert_eq!(d.timestamp_ms, 2233345666);
    }

    #[test]
    fn bad_input_is_an_error_not_a_panic() {
        for bad in [
            &b"not json"[..],
            b"[]",
            b"{}",
            br#"{"version":5,"jmx_port":-1,"endpoints":["nohostport"]}"#,
            br#"{"version":5,"jmx_port":-1,"endpoints":["X://h:1"],"listener_security_protocol_map":{}}"#,
            br#"{"version":"5","jmx_port":-1,"endpoints":[]}"#,
            br#"{"version":0,"jmx_port":-1}"#,
        ] {
            assert!(BrokerRegistration::decode(0, bad).is_err(), "{:?}", String::from_utf8_lossy(bad));
        }
    }
}
