from envsdk.cli import main

raise SystemExit(main())
