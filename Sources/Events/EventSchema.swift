/// The event schemas this toolkit writes, embedded so the binary needs no resource files. They
/// are identical to `Sources/Events/Schemas/*.avsc` (a test checks it).
public enum EventSchema: String, Sendable, CaseIterable {
  /// The toolkit's own `forecast.ListeningEvent`: Milestone-1's fields plus continent and
  /// subscription, every added field with a default.
  case toolkit
  /// The seed's Milestone-1 `music.ListeningHistory`, exactly as published.
  case milestone1

  /// The schema's JSON text, byte for byte the `.avsc` file.
  public var json: String {
    switch self {
    case .toolkit: return EventSchema.toolkitJSON
    case .milestone1: return EventSchema.milestone1JSON
    }
  }

  /// The parsed schema.
  public var schema: AvroSchema {
    switch self {
    case .toolkit: return EventSchema.toolkitSchema
    case .milestone1: return EventSchema.milestone1Schema
    }
  }

  /// The `.avsc` file name under `Sources/Events/Schemas/`.
  public var fileName: String {
    switch self {
    case .toolkit: return "ListeningEvent.avsc"
    case .milestone1: return "ListeningHistory.avsc"
    }
  }

  // The embedded texts are valid schemas (a test parses them), so parsing cannot fail here;
  // `?? .null` only satisfies the type checker without a force-try.
  static let toolkitSchema: AvroSchema = (try? AvroSchema(json: toolkitJSON)) ?? .null
  static let milestone1Schema: AvroSchema = (try? AvroSchema(json: milestone1JSON)) ?? .null

  /// `Schemas/ListeningEvent.avsc`.
  static let toolkitJSON = #"""
    {
      "type": "record",
      "name": "ListeningEvent",
      "namespace": "forecast",
      "aliases": ["music.ListeningHistory"],
      "doc": "The forecast toolkit's listening event: the seed's Milestone-1 music.ListeningHistory with added fields (continent, subscription), all with defaults, so Milestone-1 files resolve unchanged. Aliases read the seed's Milestone-2 flattened camelCase records. start_time and end_time are Unix epoch milliseconds.",
      "fields": [
        {"name": "user_id", "type": "long", "aliases": ["userId", "userID", "user"]},
        {
          "name": "user_location",
          "type": {
            "type": "record",
            "name": "Location",
            "namespace": "music",
            "fields": [
              {"name": "latitude", "type": "float", "default": 0.0, "aliases": ["lat"]},
              {"name": "longitude", "type": "float", "default": 0.0, "aliases": ["lon", "lng"]},
              {"name": "country", "type": "string", "default": "", "aliases": ["countryCode", "country_code"]},
              {"name": "city", "type": "string", "default": ""},
              {"name": "timezone", "type": "string", "default": "UTC", "aliases": ["timeZone", "tz"]}
            ]
          },
          "aliases": ["location", "userLocation"],
          "default": {"latitude": 0.0, "longitude": 0.0, "country": "", "city": "", "timezone": "UTC"}
        },
        {"name": "interaction", "type": "string", "aliases": ["interactionType", "interaction_type"]},
        {"name": "song_name", "type": "string", "default": "", "aliases": ["songName", "song", "title"]},
        {"name": "artist", "type": "string", "default": "", "aliases": ["artistName", "artist_name"]},
        {"name": "genre", "type": "string"},
        {"name": "year", "type": "int", "default": 0, "aliases": ["releaseYear"]},
        {"name": "popularity", "type": "int", "default": 0},
        {"name": "danceability", "type": "float", "default": 0.0},
        {"name": "energy", "type": "float", "default": 0.0},
        {"name": "length_seconds", "type": "int", "default": 0, "aliases": ["lengthSeconds", "duration"]},
        {
          "name": "listening_time",
          "type": {
            "type": "record",
            "name": "ListeningPeriod",
            "namespace": "music",
            "fields": [
              {"name": "start_time", "type": "long", "aliases": ["startTime", "start"]},
              {"name": "end_time", "type": "long", "aliases": ["endTime", "end"]}
            ]
          },
          "aliases": ["listeningTime"]
        },
        {"name": "personality", "type": "string", "default": "", "aliases": ["listeningPersonality"]},
        {"name": "continent", "type": "string", "default": "Unknown"},
        {
          "name": "subscription",
          "type": {
            "type": "enum",
            "name": "Subscription",
            "namespace": "forecast",
            "aliases": ["music.SubscriptionType", "music.Subscription"],
            "symbols": ["free", "premium", "family", "student", "unknown"],
            "default": "unknown"
          },
          "default": "unknown",
          "aliases": ["subscriptionType", "subscription_type"]
        }
      ]
    }

    """#

  /// `Schemas/ListeningHistory.avsc`.
  static let milestone1JSON = #"""
    {
      "doc": "User listening history with song details.",
      "name": "ListeningHistory",
      "namespace": "music",
      "type": "record",
      "fields": [
        {
          "name": "user_id",
          "type": "int"
        },
        {
          "name": "user_location",
          "type": {
            "type": "record",
            "name": "Location",
            "fields": [
              {
                "name": "latitude",
                "type": "float"
              },
              {
                "name": "longitude",
                "type": "float"
              },
              {
                "name": "country",
                "type": "string"
              },
              {
                "name": "city",
                "type": "string"
              },
              {
                "name": "timezone",
                "type": "string"
              }
            ]
          }
        },
        {
          "name": "interaction",
          "type": "string"
        },
        {
          "name": "song_name",
          "type": "string"
        },
        {
          "name": "artist",
          "type": "string"
        },
        {
          "name": "genre",
          "type": "string"
        },
        {
          "name": "year",
          "type": "int"
        },
        {
          "name": "popularity",
          "type": "int"
        },
        {
          "name": "danceability",
          "type": "float"
        },
        {
          "name": "energy",
          "type": "float"
        },
        {
          "name": "length_seconds",
          "type": "int"
        },
        {
          "name": "listening_time",
          "type": {
            "type": "record",
            "name": "ListeningPeriod",
            "fields": [
              {
                "name": "start_time",
                "type": "long"
              },
              {
                "name": "end_time",
                "type": "long"
              }
            ]
          }
        },
        {
          "name": "personality",
          "type": "string"
        }
      ]
    }

    """#
}
