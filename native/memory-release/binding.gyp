{
  "targets": [
    {
      "target_name": "memory_release",
      "sources": ["memory_release.cc"]
    }
  ]
}
