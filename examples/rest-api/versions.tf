terraform {
  # check blocks need 1.5
  required_version = ">= 1.5"

  required_providers {
    aws = {
      source = "hashicorp/aws"
      # Nothing here differs between v5 and v6 (the Lambda URI is the function's invoke_arn).
      version = ">= 5.0, < 7.0"
    }
    gwtrigger = {
      source  = "gwtrigger/gwtrigger"
      version = "~> 0.1"
    }
  }
}
